import Foundation
import Testing
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// A run folder whose checkpoint files do not belong together, or have rotted, is refused by
/// `resume` and by `TrainedModel.load` (what `nabla eval` and `nabla predict` read), naming the file.
@Suite struct CheckpointIntegrityTests {
    /// A checkpoint of epoch 1 with the model of epoch 2, as a kill between two renames or a copy by hand leaves it.
    @Test func modelFromALaterCheckpointIsRefused() throws {
        let torn = try RunFolder.trained(epochs: 1)
        let later = try RunFolder.trained(epochs: 2)
        defer { for folder in [torn, later] { try? FileManager.default.removeItem(at: folder) } }
        let newer = try Data(contentsOf: RunFolder.checkpointFile(later, Checkpoint.modelFile))
        try RunFolder.replace(Checkpoint.modelFile, in: torn, with: newer, reseal: false)

        let eval = RunFolder.message { _ = try TrainedModel.load(from: torn) }
        #expect(eval?.contains(Checkpoint.modelFile) == true && eval?.contains("stale or corrupt") == true, "\(eval ?? "accepted")")
        let resume = RunFolder.message { _ = try TrainingRun(RunFolder.config(epochs: 3)).fit(outputDirectory: torn, resume: true) }
        #expect(resume?.contains(Checkpoint.modelFile) == true && resume?.contains("stale or corrupt") == true, "\(resume ?? "accepted")")
    }

    /// The model file at the top of the run folder, replaced by another run's, is refused too.
    @Test func handCopiedTopLevelModelIsRefused() throws {
        let folder = try RunFolder.trained(epochs: 1)
        let other = try RunFolder.trained(epochs: 2)
        defer { for f in [folder, other] { try? FileManager.default.removeItem(at: f) } }
        let top = folder.appendingPathComponent(Checkpoint.modelFile)
        try FileManager.default.removeItem(at: top)
        try Data(contentsOf: other.appendingPathComponent(Checkpoint.modelFile)).write(to: top)   // as `cp` copies it
        let text = RunFolder.message { _ = try TrainedModel.load(from: folder) }
        #expect(text?.contains(top.path) == true, "\(text ?? "accepted")")
    }

    @Test(arguments: ["model.safetensors", "optimizer.safetensors", "trainer.json", "config.json", "model.json"])
    func bitRotIsRefused(_ name: String) throws {
        let folder = try RunFolder.trained(epochs: 1)
        defer { try? FileManager.default.removeItem(at: folder) }
        let original = try Data(contentsOf: RunFolder.checkpointFile(folder, name))
        try RunFolder.replace(name, in: folder, with: RunFolder.rotted(original, json: name.hasSuffix(".json")), reseal: false)
        let eval = RunFolder.message { _ = try TrainedModel.load(from: folder) }
        #expect(eval?.contains(name) == true && eval?.contains("stale or corrupt") == true, "\(eval ?? "accepted")")
        let resume = RunFolder.message { _ = try TrainingRun(RunFolder.config(epochs: 2)).fit(outputDirectory: folder, resume: true) }
        #expect(resume?.contains(name) == true && resume?.contains("stale or corrupt") == true, "\(resume ?? "accepted")")
    }

    /// The layout of earlier versions, files side by side without a manifest, cannot be checked.
    @Test func runFolderWithoutAManifestIsRefused() throws {
        let folder = RunFolder.path()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: folder.appendingPathComponent(Checkpoint.trainerFile))
        try Safetensors.write([:], to: folder.appendingPathComponent(Checkpoint.modelFile))
        let expected = "\(folder.path): a run folder from an earlier Nabla, without a checkpoint manifest, so its files cannot be checked; train the run again"
        #expect(RunFolder.message { _ = try TrainedModel.load(from: folder) } == expected)
        #expect(RunFolder.message { _ = try TrainingRun(RunFolder.config()).fit(outputDirectory: folder, resume: true) } == expected)
        #expect(RunFolder.message { try TrainingRun(RunFolder.config()).prepareOutput(folder, resume: false) }?.contains("already holds a run") == true)
    }

    /// Resuming on a CSV file that changed since the checkpoint is refused.
    @Test func resumeOnChangedDataIsRefused() throws {
        let folder = RunFolder.path()
        let csv = RunFolder.path("data").appendingPathExtension("csv")
        defer { for f in [folder, csv] { try? FileManager.default.removeItem(at: f) } }
        let rows = (0..<40).map { i in "\(Double(i) / 10),\(Double(i % 7) / 3),\(i % 2)" }
        try (["a,b,label"] + rows).joined(separator: "\n").write(to: csv, atomically: true, encoding: .utf8)
        var config = RunFolder.config(epochs: 1)
        config.data = "csv:\(csv.path)"
        _ = try TrainingRun(config).fit(outputDirectory: folder)

        var changed = rows
        changed[5] = "9.5,0.25,1"
        try (["a,b,label"] + changed).joined(separator: "\n").write(to: csv, atomically: true, encoding: .utf8)
        config.epochs = 2
        let text = RunFolder.message { _ = try TrainingRun(config).fit(outputDirectory: folder, resume: true) }
        #expect(text?.contains("training data differs") == true, "\(text ?? "accepted")")
    }
}
