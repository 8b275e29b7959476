import Foundation
import Testing
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// Run-folder JSON with values no run writes: each is one error naming the file, the field and the
/// fix, never a crash or a 563 TB allocation. The manifest is kept consistent with each edit, so
/// only the value itself can be refused.
@Suite struct RunFolderHostileTests {
    @Test func hugeGlobalStepInTrainerState() throws {
        let folder = try RunFolder.trained(epochs: 1)
        defer { try? FileManager.default.removeItem(at: folder) }
        try RunFolder.edit(Checkpoint.trainerFile, field: "globalStep", to: "\(Int.max)", in: folder)
        let text = RunFolder.message { _ = try TrainingRun(RunFolder.config(epochs: 2)).fit(outputDirectory: folder, resume: true) }
        #expect(text?.contains(Checkpoint.trainerFile) == true && text?.contains("globalStep \(Int.max): must be in") == true
                && text?.contains("train the run again") == true, "\(text ?? "accepted")")
    }

    @Test func negativeEpochInTrainerState() throws {
        let folder = try RunFolder.trained(epochs: 1)
        defer { try? FileManager.default.removeItem(at: folder) }
        try RunFolder.edit(Checkpoint.trainerFile, field: "epoch", to: "-3", in: folder)
        let text = RunFolder.message { _ = try TrainingRun(RunFolder.config(epochs: 2)).fit(outputDirectory: folder, resume: true) }
        #expect(text?.contains("trainer.json: epoch -3: must be in") == true, "\(text ?? "accepted")")
    }

    @Test(arguments: ["1000000000000", "-1"])
    func syntheticCountInConfig(_ value: String) throws {
        let folder = try RunFolder.trained(epochs: 1)
        defer { try? FileManager.default.removeItem(at: folder) }
        try RunFolder.edit("config.json", field: "syntheticCount", to: value, in: folder)
        let text = RunFolder.message { _ = try TrainedModel.load(from: folder) }
        #expect(text?.contains("config.json: syntheticCount \(value): must be in [1, ") == true
                && text?.contains("train the run again") == true, "\(text ?? "accepted")")
    }

    @Test func hugeOutputsInModelDescription() throws {
        let folder = try RunFolder.trained(epochs: 1)
        defer { try? FileManager.default.removeItem(at: folder) }
        try RunFolder.edit(ModelInfo.file, field: "outputs", to: "\(1 << 40)", in: folder)
        let text = RunFolder.message { _ = try TrainedModel.load(from: folder) }
        #expect(text?.contains("model.json: outputs \(1 << 40): must be in [1, ") == true, "\(text ?? "accepted")")
    }

    @Test func unknownLossInConfig() throws {
        let folder = try RunFolder.trained(epochs: 1)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = RunFolder.checkpointFile(folder, "config.json")
        let text = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "\"activation\"", with: "\"loss\" : \"focal\",\n  \"activation\"")
        try RunFolder.replace("config.json", in: folder, with: Data(text.utf8), reseal: true)
        let message = RunFolder.message { _ = try TrainedModel.load(from: folder) }
        #expect(message?.contains("config.json: loss focal: not available for classification") == true, "\(message ?? "accepted")")
    }

    @Test func hiddenSizeInConfig() throws {
        let folder = try RunFolder.trained(epochs: 1)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = RunFolder.checkpointFile(folder, "config.json")
        let text = try String(contentsOf: url, encoding: .utf8)
        let edited = try NSRegularExpression(pattern: "\"hidden\"\\s*:\\s*\\[[^\\]]*\\]")
            .stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "\"hidden\" : [1099511627776]")
        try RunFolder.replace("config.json", in: folder, with: Data(edited.utf8), reseal: true)
        let message = RunFolder.message { _ = try TrainedModel.load(from: folder) }
        #expect(message?.contains("config.json: hidden 1099511627776: must be in [1, ") == true, "\(message ?? "accepted")")
    }
}
