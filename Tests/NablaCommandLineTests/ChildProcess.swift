import Foundation
import Testing

/// The built `nabla` executable, run as a child process, with its output collected in files.
final class ChildProcess {
    let process = Process()
    private let output: URL, errors: URL

    /// The `nabla` executable built beside the test bundle (`swift test` builds every product).
    static let executable: URL = {
        let bundle = Bundle.main.bundleURL
        let candidates = [bundle.appendingPathComponent("nabla"), bundle.deletingLastPathComponent().appendingPathComponent("nabla"),
                          URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("nabla")]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }()

    /// Starts `nabla arguments…`, with `environment` added to this process's environment.
    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("nabla-child-\(UUID().uuidString)")
        (output, errors) = (base.appendingPathExtension("out"), base.appendingPathExtension("err"))
        for url in [output, errors] { try Data().write(to: url) }
        process.executableURL = Self.executable
        process.arguments = arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: output)
        try? FileManager.default.removeItem(at: errors)
    }

    var pid: Int32 { process.processIdentifier }

    /// Runs `nabla arguments…` to its end.
    static func run(_ arguments: [String], environment: [String: String] = [:], timeout: Double = 120) throws -> ChildProcess {
        let child = try ChildProcess(arguments, environment: environment)
        child.wait(timeout: timeout)
        return child
    }

    /// Waits for the process to end; kills it, and records an issue, after `timeout` seconds.
    func wait(timeout: Double = 120) {
        guard Self.poll(timeout: timeout, { !process.isRunning }) else {
            Issue.record("nabla \(process.arguments ?? []) still running after \(timeout) s; killed")
            kill(pid, SIGKILL)
            process.waitUntilExit()
            return
        }
        process.waitUntilExit()
    }

    /// The exit status, or `nil` when a signal ended the process.
    var exitStatus: Int32? { process.terminationReason == .exit ? process.terminationStatus : nil }
    var standardOutput: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }
    var standardError: String { (try? String(contentsOf: errors, encoding: .utf8)) ?? "" }

    /// Polls `condition` every 5 ms until it holds (true) or `timeout` seconds pass (false).
    static func poll(timeout: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            if Date() > deadline { return false }
            usleep(5_000)
        }
        return true
    }
}
