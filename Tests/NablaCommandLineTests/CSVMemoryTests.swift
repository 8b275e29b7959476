import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Reading a CSV file takes memory on the order of its size: measured as the peak resident memory
/// of a `nabla predict` child process (its own `ru_maxrss`, from `wait4`), beyond that of the same
/// command on a two-row file.
@Suite(.serialized) struct CSVMemoryTests {
    /// `rows` rows of `columns` numbers `0.dddddd`, deterministic.
    static func csv(rows: Int, columns: Int, label: Bool = false) -> Data {
        var bytes = [UInt8]()
        bytes.reserveCapacity(rows * (columns * 9 + 3))
        var state: UInt32 = 12345
        for row in 0..<rows {
            for column in 0..<columns {
                state = state &* 1_664_525 &+ 1_013_904_223
                var digits = Int(state >> 8) % 1_000_000
                bytes += [UInt8(ascii: "0"), UInt8(ascii: ".")]
                var cell = [UInt8](repeating: 0, count: 6)
                for i in (0..<6).reversed() { cell[i] = UInt8(48 + digits % 10); digits /= 10 }
                bytes += cell
                bytes.append(column == columns - 1 && !label ? UInt8(ascii: "\n") : UInt8(ascii: ","))
            }
            if label { bytes += [UInt8(48 + row % 2), UInt8(ascii: "\n")] }
        }
        return Data(bytes)
    }

    /// Runs `nabla arguments…` with its output discarded; returns its exit status and peak RSS in bytes.
    static func peakMemory(_ arguments: [String]) throws -> (status: Int32, bytes: Int) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([ChildProcess.executable.path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let started = posix_spawn(&pid, ChildProcess.executable.path, &actions, nil, argv, environ)
        guard started == 0 else { throw POSIXError(POSIXErrorCode(rawValue: started) ?? .EIO) }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        return ((status >> 8) & 0xff, usage.ru_maxrss * 1024)   // Linux reports kilobytes
    }

    @Test func peakMemoryIsAFewTimesTheFileSize() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nabla-csv-memory-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func file(_ name: String, _ data: Data) throws -> String {
            let url = directory.appendingPathComponent(name)
            try data.write(to: url)
            return url.path
        }
        let train = try file("train.csv", Self.csv(rows: 100, columns: 10, label: true))
        let out = directory.appendingPathComponent("run").path
        let trained = try ChildProcess.run(["train", "--data", "csv:" + train, "--model", "linear", "--epochs", "1", "--out", out])
        #expect(trained.exitStatus == 0, "\(trained.standardError)")
        let tiny = try file("tiny.csv", Self.csv(rows: 2, columns: 10))
        let tall = Self.csv(rows: 220_000, columns: 10), wide = Self.csv(rows: 1, columns: 1_000_000)
        let (tallPath, widePath) = (try file("tall.csv", tall), try file("wide.csv", wide))
        let base = try Self.peakMemory(["predict", "--checkpoint", out, "--input", tiny])
        #expect(base.status == 0)
        let tallRun = try Self.peakMemory(["predict", "--checkpoint", out, "--input", tallPath, "--json"])
        #expect(tallRun.status == 0)
        let wideRun = try Self.peakMemory(["predict", "--checkpoint", out, "--input", widePath])
        #expect(wideRun.status == 1)   // read whole, then refused: a million features where the model takes ten
        // The wide file's base takes the same path, read and refused, so that neither side loads the BLAS
        // (the tiny base does, when one is installed, which hid about a megabyte of the wide read).
        let refused = try Self.peakMemory(["predict", "--checkpoint", out, "--input", try file("narrow.csv", Self.csv(rows: 1, columns: 100))])
        #expect(refused.status == 1)
        // 19.8 MB of 220,000 rows: the file, its 2.2 M floats, the feature tensor and the outputs.
        #expect(tallRun.bytes - base.bytes <= 2 * tall.count, "tall: \(tallRun.bytes - base.bytes) bytes beyond the base for \(tall.count)")
        // 9 MB in one row: the line's bytes, its million floats and the feature tensor, 2.1x the file, where cells
        // collected per row took 32 bytes each (4.8x the file).
        #expect(wideRun.bytes - refused.bytes <= 5 * wide.count / 2, "wide: \(wideRun.bytes - refused.bytes) bytes beyond the base for \(wide.count)")
    }
}
