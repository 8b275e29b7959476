import Foundation
import NablaFuzzShim
import NablaFuzzTargets

/// `nabla-fuzz TARGET [libFuzzer flags] [corpus folders or files]`: fuzzes one parser with libFuzzer
/// when built with `-sanitize=fuzzer,address` (see `Fuzz/run.sh`); built plainly, it replays the
/// given files through the same target instead. `--list` names the targets, `--write-seeds FOLDER`
/// writes their seeds to `FOLDER/<target>/`, and `--dictionary TARGET` prints a libFuzzer `-dict` file.
@main
enum NablaFuzz {
    static func main() {
        let arguments = CommandLine.arguments
        switch arguments.dropFirst().first {
        case "--list":
            for target in FuzzTarget.all { print(target.name.padding(toLength: 14, withPad: " ", startingAt: 0) + target.summary) }
        case "--dictionary" where arguments.count == 3 && FuzzTarget.named(arguments[2]) != nil:
            print(FuzzTarget.named(arguments[2])!.dictionary, terminator: "")
        case "--write-seeds" where arguments.count == 3:
            exit(writeSeeds(to: URL(fileURLWithPath: arguments[2])))
        default:
            guard let target = selectedTarget else {
                FileHandle.standardError.write(Data("""
                    usage: nabla-fuzz TARGET [libFuzzer flags] [corpus folders or files]
                           nabla-fuzz --list | --write-seeds FOLDER | --dictionary TARGET
                    TARGET (or NABLA_FUZZ_TARGET): \(FuzzTarget.all.map(\.name).joined(separator: ", "))

                    """.utf8))
                exit(2)
            }
            exit(fuzz(target, arguments: arguments.filter { $0 != target.name || $0 == arguments[0] }))
        }
    }

    /// Hands the arguments to libFuzzer, or replays them where this build has no libFuzzer.
    private static func fuzz(_ target: FuzzTarget, arguments: [String]) -> Int32 {
        // libFuzzer's -fork and -jobs workers are started without the target's name.
        setenv("NABLA_FUZZ_TARGET", target.name, 1)
        var argc = Int32(arguments.count)
        let strings = arguments.map { strdup($0) } + [nil]
        let status = strings.withUnsafeBufferPointer { buffer -> Int32 in
            var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = UnsafeMutablePointer(mutating: buffer.baseAddress)
            return LLVMFuzzerRunDriver(&argc, &argv, testOneInput)
        }
        guard status == NABLA_FUZZ_NO_LIBFUZZER else { return status }
        return CorpusReplay(target: target).run(paths: arguments.dropFirst().filter { !$0.hasPrefix("-") })
    }

    private static func writeSeeds(to folder: URL) -> Int32 {
        do {
            for target in FuzzTarget.all {
                let directory = folder.appendingPathComponent(target.name)
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                for seed in target.seeds() { try seed.data.write(to: directory.appendingPathComponent(seed.name)) }
            }
            return 0
        } catch {
            FileHandle.standardError.write(Data("nabla-fuzz: \(error)\n".utf8))
            return 1
        }
    }
}

/// The target this process fuzzes: named by the first argument, or by `NABLA_FUZZ_TARGET`.
let selectedTarget: FuzzTarget? = CommandLine.arguments.dropFirst().first.flatMap(FuzzTarget.named)
    ?? ProcessInfo.processInfo.environment["NABLA_FUZZ_TARGET"].flatMap(FuzzTarget.named)

/// libFuzzer's test-one-input callback: a finding traps, so that libFuzzer saves the input.
private func testOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    guard let target = selectedTarget else { fatalError("nabla-fuzz: no target selected") }
    // No copy: libFuzzer's buffer is exactly `count` bytes, so AddressSanitizer sees any read past it.
    let data = bytes.map { Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: $0), count: count, deallocator: .none) } ?? Data()
    if case .unexpected(let problem) = target.run(data) { fatalError("nabla-fuzz \(target.name): \(problem)") }
    return 0
}
