import Foundation
import Testing
@testable import NablaFuzzTargets
import Nabla

/// The seed corpora and past findings in `Fuzz/`, replayed through each target's callback in the
/// plain build, as `nabla-fuzz TARGET FOLDER` replays them: seeds must parse, findings must no
/// longer be findings.
@Suite struct FuzzCorpusTests {
    static let fuzzFolder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    /// The files in `Fuzz/<kind>/<target>`, sorted; none if the folder does not exist.
    static func files(_ kind: String, _ target: String) -> [URL] {
        let folder = fuzzFolder.appendingPathComponent(kind).appendingPathComponent(target)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.sorted().map { folder.appendingPathComponent($0) }
    }

    @Test(arguments: FuzzTarget.all.map(\.name))
    func everySeedParses(_ name: String) throws {
        let target = try #require(FuzzTarget.named(name))
        let seeds = Self.files("corpus", name)
        #expect(seeds.count >= 2, "Fuzz/corpus/\(name) needs seeds; run Fuzz/make-corpus.sh")
        for seed in seeds {
            #expect(target.run(try Data(contentsOf: seed)) == .parsed, "\(seed.lastPathComponent)")
        }
        let written = Set(seeds.map(\.lastPathComponent))
        for seed in target.seeds() {
            #expect(written.contains(seed.name), "seed \(seed.name) is not in Fuzz/corpus/\(name); run Fuzz/make-corpus.sh")
        }
    }

    @Test(arguments: FuzzTarget.all.map(\.name))
    func pastFindingsAreParsedOrRefused(_ name: String) throws {
        let target = try #require(FuzzTarget.named(name))
        for file in Self.files("regressions", name) {
            let outcome = target.run(try Data(contentsOf: file))
            if case .unexpected(let problem) = outcome { Issue.record("\(name)/\(file.lastPathComponent): \(problem)") }
        }
    }

    @Test func everyCorpusFolderBelongsToATarget() throws {
        for kind in ["corpus", "regressions"] {
            let folder = Self.fuzzFolder.appendingPathComponent(kind)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] {
                #expect(FuzzTarget.named(name) != nil, "Fuzz/\(kind)/\(name) names no target")
            }
        }
        #expect(Set(FuzzTarget.all.map(\.name)).count == FuzzTarget.all.count)
    }

    @Test func outcomesTellRefusalsFromFindings() {
        #expect(FuzzTarget.named("npy")?.run(Data("not a numpy file".utf8)) == .rejected(
            "fuzz.npy: byte 0: bad magic string (expected \\x93NUMPY); is this a .npy file?"))
        let wrongError = FuzzTarget("wrong", "", expecting: [FormatError.self], seeds: { [] }) { _ in throw CocoaError(.fileNoSuchFile) }
        guard case .unexpected(let problem) = wrongError.run(Data()) else { Issue.record("a foreign error type is a finding"); return }
        #expect(problem.hasPrefix("unexpected error type CocoaError"))
        let brokenCheck = FuzzTarget("broken", "", expecting: [], seeds: { [] }) { _ in try require(false, "round trip") }
        #expect(brokenCheck.run(Data()) == .unexpected("round trip"))
    }

    @Test func zlibOracleDecodesAndRefuses() throws {
        let zlib = try #require(SystemZlib.shared, "zlib (libz.so.1) is part of every Debian system")
        #expect(zlib.inflate(rawDeflate: Data([0x03, 0x00]), limit: 10) == [])           // an empty fixed-Huffman block
        #expect(zlib.inflate(rawDeflate: Data([0x01, 0x02, 0x00, 0xFD, 0xFF, 7, 9]), limit: 10) == [7, 9])  // stored
        #expect(zlib.inflate(rawDeflate: Data([0x01, 0x02, 0x00, 0xFD, 0xFF, 7, 9]), limit: 1) == nil)
        #expect(zlib.inflate(rawDeflate: Data([0x07, 0x00]), limit: 10) == nil)          // block type 3 is reserved
        // zlib itself ignores what follows the stream (and reads its first 4 bytes as the checksum).
        #expect(zlib.inflate(rawDeflate: Data([0x03, 0x00, 0, 0, 0, 1, 0]), limit: 10) == nil)
    }

    @Test func dictionariesAreLibFuzzerFormat() {
        for target in FuzzTarget.all {
            for line in target.dictionary.split(separator: "\n") {
                #expect(line.hasPrefix("\"") && line.hasSuffix("\"") && line.count >= 3, "\(target.name): \(line)")
                #expect(line.unicodeScalars.allSatisfy { (0x20..<0x7F).contains($0.value) }, "\(target.name): \(line)")
            }
        }
        #expect(FuzzTarget.named("spec-yaml")!.dictionary.contains("\"conv2d\"\n"))
        #expect(FuzzTarget.named("trainer-json")!.dictionary.contains("\"\\\"globalStep\\\"\"\n"))
    }
}
