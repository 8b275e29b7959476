import NablaCore
import NablaBackend

/// One epoch's figures.
public struct EpochRecord: Sendable, Codable, Equatable {
    public var epoch: Int
    public var trainLoss: Double
    public var trainAccuracy: Double?
    public var validationLoss: Double?
    public var validationAccuracy: Double?
    /// Top-k validation accuracies, keyed by k.
    public var validationTopK: [Int: Double] = [:]
    public var learningRate: Double
    public var seconds: Double
    /// The mean gradient norm of each layer over the epoch's steps, keyed by layer name.
    public var gradientNorms: [String: Double] = [:]
    /// The optimizer steps taken in all when the epoch (or evaluation period) ended; `nil` in
    /// histories saved before it was recorded.
    public var step: Int?
}

/// Everything a training run recorded, epoch by epoch.
public struct TrainingHistory: Sendable, Codable, Equatable {
    public var epochs: [EpochRecord] = []
    /// Why training stopped, in words.
    public var stopReason: String = ""
    public var steps: Int = 0
    public var warnings: [String] = []

    public init() {}

    /// Layer names in the order they first appear.
    public var layerNames: [String] {
        var seen: [String] = []
        for record in epochs { for name in record.gradientNorms.keys.sorted() where !seen.contains(name) { seen.append(name) } }
        return seen
    }
}

/// Receives progress while `Trainer.fit` runs. Every method has an empty default.
public protocol TrainingCallback: AnyObject {
    /// Called when an epoch begins, with its number of batches.
    func epochDidBegin(_ epoch: Int, batches: Int)
    /// Called after every optimizer step.
    func stepDidEnd(_ step: StepInfo)
    /// Called after every epoch, validation included.
    func epochDidEnd(_ record: EpochRecord)
    /// Called for diagnostics such as vanishing or exploding gradients.
    func trainingDidWarn(_ message: String)
}

extension TrainingCallback {
    public func epochDidBegin(_ epoch: Int, batches: Int) {}
    public func stepDidEnd(_ step: StepInfo) {}
    public func epochDidEnd(_ record: EpochRecord) {}
    public func trainingDidWarn(_ message: String) {}
}

/// What a callback learns after each step.
public struct StepInfo: Sendable {
    public var epoch: Int
    /// The batch index within the epoch, from 0.
    public var batch: Int
    public var batches: Int
    public var globalStep: Int
    public var loss: Double
    /// The running mean loss of the epoch so far.
    public var runningLoss: Double
    /// The running accuracy of the epoch so far (classification).
    public var runningAccuracy: Double?
    public var samples: Int
    public var samplesSoFar: Int
    public var gradientNorm: Double
}

/// Why training stopped early, or could not go on.
public enum TrainingError: SettingNaming, Equatable {
    case nonFiniteLoss(epoch: Int, step: Int, value: Double)
    /// The step loss stayed above `divergenceFactor` × its best for `divergenceSteps` steps in a row.
    case diverged(epoch: Int, step: Int, loss: Double, best: Double)
    /// A `StopRequest` (from `signal`, if a signal made it) stopped training after `step` steps of
    /// `epoch`; `checkpoint` is the folder whose checkpoint resumes there.
    case interrupted(signal: Int32?, epoch: Int, step: Int, checkpoint: String?)
    /// The model tensor `parameter` (a state-dict name) held `value`, NaN or infinite, when epoch
    /// `epoch` was to be checkpointed after global step `step`; no checkpoint was written with it.
    case nonFiniteWeights(parameter: String, value: Float, epoch: Int, step: Int)

    public var message: SettingText {
        switch self {
        case .nonFiniteLoss(let epoch, let step, let value):
            let stopped = "training stopped: the loss became \(value) at epoch \(epoch), step \(step)"
            return "\(stopped); lower the learning rate (\(setting: .learningRate)) or clip gradients (\(setting: .clipNorm))"
        case .diverged(let epoch, let step, let loss, let best):
            let stopped = "training stopped: diverged at epoch \(epoch), step \(step): the loss is \(loss), its best was \(best)"
            return "\(stopped); lower the learning rate (\(setting: .learningRate)) or clip gradients (\(setting: .clipNorm))"
        case .interrupted(let signal, let epoch, let step, let checkpoint):
            let cause = signal.map { "by \(StopRequest.name(of: $0))" } ?? "on request"
            let stopped = "training interrupted \(cause) after step \(step) of epoch \(epoch)"
            guard let checkpoint else { return "\(stopped); no checkpoint was written (the trainer has no checkpointDirectory)" }
            return "\(stopped); the checkpoint in \(checkpoint) continues it with \(setting: .resume)"
        case .nonFiniteWeights(let parameter, let value, let epoch, let step):
            let stopped = "training stopped: the model's \(parameter) became \(value) at epoch \(epoch) (step \(step)), so no checkpoint was written with it"
            return "\(stopped); lower the learning rate (\(setting: .learningRate)) or clip gradients (\(setting: .clipNorm))"
        }
    }
}
