import Foundation
import Testing
@testable import NablaCommandLine
import Nabla

/// `nabla train --resume` continues with the run's own settings; `--config` reuses saved ones.
@Suite struct ResumeConfigurationTests {
    private func csv(_ folder: URL) throws -> String {
        let url = folder.appendingPathComponent("data.csv")
        let rows = (0..<60).map { "\(Double($0) * 3),\(Double($0 % 7) * 100),\($0 % 2)" }
        try ("a,b,label\n" + rows.joined(separator: "\n")).write(to: url, atomically: true, encoding: .utf8)
        return "csv:" + url.path
    }

    @Test func resumeTakesTheRunsSettingsNotTheCommandLinesDefaults() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nabla-resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try csv(folder), out = folder.appendingPathComponent("run").path
        try Train.parse(["--data", data, "--standardize", "--model", "linear", "--epochs", "1", "--out", out, "--json"]).run()
        // Without --standardize again, the resumed run still standardizes, as it was trained.
        let again = try Train.parse(["--data", data, "--model", "linear", "--epochs", "2", "--out", out, "--resume", "--json"])
        let config = try again.configuration(URL(fileURLWithPath: out))
        #expect(config.standardize && config.epochs == 2)
        // A setting given again with another value is refused, naming its flag.
        let other = try Train.parse(["--data", data, "--optimizer", "sgd", "--epochs", "2", "--out", out, "--resume"])
        #expect { try other.configuration(URL(fileURLWithPath: out)) } throws: {
            commandLineMessage(for: $0).hasPrefix("--optimizer \"sgd\" differs from the run's own (\"adamw\")")   // the linear recipe's
        }
        // --config trains a new run with the saved settings.
        let saved = URL(fileURLWithPath: out).appendingPathComponent("checkpoint/config.json").path
        let reuse = try Train.parse(["--config", saved, "--seed", "4", "--out", folder.appendingPathComponent("second").path])
        let reused = try reuse.configuration(URL(fileURLWithPath: reuse.out))
        #expect(reused.standardize && reused.data == data && reused.model == "linear" && reused.seed == 4)
    }
}
