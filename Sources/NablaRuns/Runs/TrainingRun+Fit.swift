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

    /// Checks that `directory` can receive this run before any training happens: it must be writable,
    /// and it must not hold another run unless `resume` continues that run.
    public func prepareOutput(_ directory: URL, resume: Bool) throws {
        let manager = FileManager.default
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
        do {
            try manager.createDirectory(at: directory, withIntermediateDirectories: true)
            let probe = directory.appendingPathComponent(".nabla-write-test-\(ProcessInfo.processInfo.processIdentifier)")
            try Data().write(to: probe)
            try manager.removeItem(at: probe)
        } catch {
            throw ConfigurationError("cannot write to \(directory.path): \(error.localizedDescription); choose a writable \(setting: .outputDirectory)")
        }
    }

    /// Trains, checkpointing into `directory` after every epoch, then evaluates the test set and
    /// writes `metrics.csv`, the plots and `report.html`.
    public func fit(outputDirectory directory: URL, resume: Bool = false, callbacks: [TrainingCallback] = [],
                    checkpointInterval: Int = 1) throws -> RunResult {
        try prepareOutput(directory, resume: resume)
        if resume { try trainer.resume(from: directory) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(config), to: directory.appendingPathComponent(Self.configFile))
        let info = ModelInfo(inputShape: data.inputShape, outputs: data.outputs, task: data.task, classNames: data.classNames,
                             standardizer: data.standardizer)
        try AtomicFile.write(try encoder.encode(info), to: directory.appendingPathComponent(ModelInfo.file))
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
