import Foundation
import NablaLibrary
import NablaCore
import NablaBackend

/// The figures of a finished run, as `result.json` records them.
public struct RunResult: Codable, Sendable, Equatable {
    public var trainLoss: Double
    public var trainAccuracy: Double?
    public var validationLoss: Double?
    public var validationAccuracy: Double?
    public var testLoss: Double?
    public var testAccuracy: Double?
    public var epochs: Int
    public var seconds: Double
    public var samplesPerSecond: Double
    public var stopReason: String

    enum CodingKeys: String, CodingKey {
        case trainLoss = "train_loss", trainAccuracy = "train_accuracy", validationLoss = "val_loss"
        case validationAccuracy = "val_accuracy", testLoss = "test_loss", testAccuracy = "test_accuracy"
        case epochs, seconds, samplesPerSecond = "samples_per_second", stopReason = "stop_reason"
    }
}

extension TrainingRun {
    public static let configFile = "config.json"

    /// Checks that `directory` can receive this run before any training happens: no other training
    /// may hold it, it must be writable, and it must not hold another run unless `resume` continues
    /// that run. `fit` checks all this again, holding the folder's lock.
    /// In a distributed run only rank 0 checks, and every rank throws when it fails.
    public func prepareOutput(_ directory: URL, resume: Bool) throws {
        try onMainRank("prepare the run folder \(directory.path)") {
            try checkCheckpoint(directory, resume: resume)
            try Self.checkUnlocked(directory)
            try Self.probeWritable(directory)
        }
    }

    private func checkCheckpoint(_ directory: URL, resume: Bool) throws {
        if resume {
            guard Checkpoint.exists(in: directory) else {
                throw ConfigurationError("\(directory.path): \(setting: .resume): no checkpoint here to continue; run without \(setting: .resume) first")
            }
        } else if Checkpoint.exists(in: directory) {
            throw ConfigurationError("""
                \(setting: .outputDirectory) \(directory.path) already holds a run; \
                pass \(setting: .resume) to continue it, or choose another \(setting: .outputDirectory)
                """)
        }
    }

    /// Trains, checkpointing into `directory` after every `checkpointInterval` epochs, then
    /// evaluates the test set and writes `metrics.csv`, the plots and `report.html`.
    ///
    /// The folder is locked while the run lasts: a second run on it fails, naming this process.
    /// Each checkpoint is one atomic unit holding the model, the optimizer, the trainer's state,
    /// `config.json` and `model.json` (see `CheckpointFolder`). With `resume`, temporaries that a
    /// crash left behind are removed and the checkpoint is checked before training continues.
    public func fit(outputDirectory directory: URL, resume: Bool = false, callbacks: [TrainingCallback] = [],
                    checkpointInterval: Int = 1) throws -> RunResult {
        if let group, !group.isMain { return try fitOnWorker(directory, resume: resume, group: group) }
        try checkCheckpoint(directory, resume: resume)
        let lock = try lockOutput(directory)
        defer { lock.release() }
        try checkCheckpoint(directory, resume: resume)
        try Self.probeWritable(directory)
        Self.removeStrays(directory)
        if resume { try trainer.resume(from: directory) }
        if let group { try trainer.distribute(over: group, synchronizeBatchNorm: config.syncBatchNorm ?? false) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let info = ModelInfo(inputShape: data.inputShape, outputs: data.outputs, task: data.task, classNames: data.classNames,
                             standardizer: data.standardizer, polynomial: data.polynomial)
        trainer.checkpointAttachments = [Self.configFile: try encoder.encode(config), ModelInfo.file: try encoder.encode(info)]
        if let vocabulary = data.vocabulary { trainer.checkpointAttachments[Vocabulary.file] = try encoder.encode(vocabulary) }
        trainer.checkpointDirectory = directory
        trainer.checkpointInterval = checkpointInterval
        trainer.callbacks = callbacks
        let stepsBefore = trainer.globalStep
        let start = Timing.now()
        let history = try trainer.fit()
        let seconds = Timing.now() - start
        let samples = Double((trainer.globalStep - stepsBefore) * trainer.train.batchSize)
        let test = data.test.map {
            evaluate(model, on: DataLoader($0, batchSize: 1000), loss: trainer.loss, task: data.task, classes: data.outputs)
        }
        let last = history.epochs.last
        let result = RunResult(trainLoss: last?.trainLoss ?? .nan, trainAccuracy: last?.trainAccuracy,
                               validationLoss: last?.validationLoss, validationAccuracy: last?.validationAccuracy,
                               testLoss: test?.loss, testAccuracy: test?.accuracy, epochs: history.epochs.count,
                               seconds: seconds, samplesPerSecond: seconds > 0 ? Double(samples) / seconds : 0,
                               stopReason: history.stopReason)
        try RunArtifacts(run: self, history: history, result: result, test: test).write(to: directory)
        return result
    }
}
