import Foundation
import Testing

/// `mpirun … nabla …` (or any program) as a child process, with its output collected in files.
final class MPIJob {
    let process = Process()
    private let outputFile: URL, errorOutput: URL

    /// Open MPI's launcher, when installed.
    static let mpirun: String? = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { FileManager.default.isExecutableFile(atPath: $0) }
    /// The `nabla` executable under test.
    static var nabla: String { ChildProcess.executable.path }
    /// Options that let Open MPI run as root and run more ranks than cores, as CI needs.
    static let launcherOptions = ["--allow-run-as-root", "--oversubscribe"]

    /// Starts `mpirun arguments…`.
    convenience init(arguments: [String]) throws {
        try self.init(executable: Self.mpirun ?? "mpirun", arguments: Self.launcherOptions + arguments)
    }

    /// Starts `executable arguments…` with `environment` added to this process's.
    init(executable: String, arguments: [String], environment: [String: String] = [:]) throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("nabla-mpi-job-\(UUID().uuidString)")
        (outputFile, errorOutput) = (base.appendingPathExtension("out"), base.appendingPathExtension("err"))
        for url in [outputFile, errorOutput] { try Data().write(to: url) }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = try FileHandle(forWritingTo: outputFile)
        process.standardError = try FileHandle(forWritingTo: errorOutput)
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: outputFile)
        try? FileManager.default.removeItem(at: errorOutput)
    }

    /// Runs `mpirun -np ranks nabla arguments…` to its end.
    static func run(ranks: Int, _ arguments: [String], timeout: Double = 180) throws -> MPIJob {
        try run(arguments: ["-np", "\(ranks)", nabla] + arguments, timeout: timeout)
    }

    /// Runs `mpirun arguments…` to its end.
    static func run(arguments: [String], timeout: Double = 180) throws -> MPIJob {
        let job = try MPIJob(arguments: arguments)
        job.wait(timeout: timeout)
        return job
    }

    /// Waits for the end; kills the job, recording an issue, after `timeout` seconds.
    func wait(timeout: Double) {
        if !ChildProcess.poll(timeout: timeout, { !process.isRunning }) {
            Issue.record("\(process.arguments ?? []) still running after \(timeout) s; killed")
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
    }

    var status: Int32 { process.terminationStatus }
    var output: String { (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "" }
    var errors: String { (try? String(contentsOf: errorOutput, encoding: .utf8)) ?? "" }

    /// The process of rank `rank` among the children of `launcher` (Open MPI sets `OMPI_COMM_WORLD_RANK`).
    static func rankProcess(_ rank: Int, under launcher: Int32) -> Int32? {
        let processes = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return processes.compactMap(Int32.init).first { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let fields = stat.split(separator: ")").last?.split(separator: " "), fields.count > 2,
                  Int32(fields[1]) == launcher,
                  let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ")
            else { return false }
            return environ.split(separator: 0).contains { String(decoding: $0, as: UTF8.self) == "OMPI_COMM_WORLD_RANK=\(rank)" }
        }
    }
}
