import Foundation
import NablaCore
import NablaBackend

/// The training loop: a model, a loss, an optimizer and loaders, with metrics, callbacks, stop
/// criteria, gradient-flow diagnostics and checkpoints that resume exactly.
///
/// ```swift
/// let trainer = Trainer(model: model, loss: { crossEntropy($0, $1) }, optimizer: Adam(model.parameters),
///                       train: trainLoader, validation: valLoader, task: .classification, classes: 10)
/// trainer.stop = StopCriteria(maxEpochs: 20, earlyStopping: EarlyStopping(patience: 3))
/// let history = try trainer.fit()
/// ```
public final class Trainer {
    public let model: Module
    public let loss: (Tensor, Tensor) -> Tensor
    public let optimizer: Optimizer
    public let train: DataLoader
    public let validation: DataLoader?
    public let task: Task
    public let classes: Int

    public var stop = StopCriteria()
    /// An epoch-wise learning-rate schedule, stepped after every epoch.
    public var scheduler: LRScheduler?
    /// A per-step schedule: sets every group's rate before each optimizer step from `globalStep` and
    /// the group's base rate (so a plateau scheduler's cuts would not last; use one or the other).
    public var schedule: StepSchedule?
    /// Each batch is split into this many micro-batches whose gradients add up to the batch's
    /// before one optimizer step (see `accumulateGradients`).
    public var accumulationSteps = 1
    /// When set, this many optimizer steps make one training period in place of an epoch: progress,
    /// records, validation, early stopping and checkpoints come every period, and `stop.maxEpochs`
    /// counts periods. Periods run across the data's epochs.
    public var evaluationInterval: Int?
    /// Reduce-on-plateau, stepped with the validation loss (or the training loss without validation).
    public var plateau: ReduceLROnPlateau?
    /// Clip the global gradient norm to this before each step.
    public var clipNorm: Double?
    /// Clip every gradient element to ±this before each step.
    public var clipValue: Double?
    /// A regularization term added to the loss (e.g. `{ l2Penalty($0, lambda: 1e-4) }`).
    public var penalty: ((Module) -> Tensor)?
    /// Training stops as diverged when the step loss stays above this multiple of its best for
    /// `divergenceSteps` steps in a row.
    public var divergenceFactor = Hyperparameters.divergenceFactor.defaultValue
    public var divergenceSteps = Hyperparameters.divergenceSteps.defaultValue
    /// The lowest step loss so far, and how many steps in a row have been above the divergence bound.
    var divergence = (best: Double.infinity, stepsAbove: 0)
    /// A layer whose mean gradient norm exceeds this is reported as exploding.
    public var explodingThreshold = Hyperparameters.explodingThreshold.defaultValue
    /// Validation top-k accuracies to compute, e.g. `[5]`.
    public var topK: [Int] = []
    public var callbacks: [TrainingCallback] = []
    /// When set, a checkpoint is written here every `checkpointInterval` epochs and when training stops.
    public var checkpointDirectory: URL?
    public var checkpointInterval = 1
    /// Files written into every checkpoint beside the trainer's own, in the same atomic unit (a
    /// run keeps its `config.json` and `model.json` there), by name.
    public var checkpointAttachments: [String: Data] = [:]
    /// Checked before every step; once set, training stops there, writes a checkpoint (when
    /// `checkpointDirectory` is set) and throws `TrainingError.interrupted`.
    public var stopRequest: StopRequest?
    /// The SHA-256 of the training and validation samples, recorded in every checkpoint, so that
    /// `resume` refuses to continue on other data. Computed when first needed; set it to `nil` to
    /// record none (for a dataset too costly to read twice).
    public lazy var dataFingerprint: String? = Self.fingerprint(train.dataset, validation?.dataset)

    public internal(set) var history = TrainingHistory()
    /// The number of completed epochs.
    public internal(set) var epoch = 0
    public internal(set) var globalStep = 0
    var earlyStopping = EarlyStoppingState()
    var bestWeights: [String: Tensor]?
    var flow: GradientFlow
    /// The epoch under way when training was interrupted, restored by `resume`.
    var progress: EpochProgress?

    public init(model: Module, loss: @escaping (Tensor, Tensor) -> Tensor, optimizer: Optimizer, train: DataLoader,
                validation: DataLoader? = nil, task: Task = .classification, classes: Int = 0) {
        precondition(task == .regression || classes > 0, "Trainer: a classification task needs the number of classes")
        self.model = model
        self.loss = loss
        self.optimizer = optimizer
        self.train = train
        self.validation = validation
        self.task = task
        self.classes = classes
        flow = GradientFlow(model: model)
    }

    /// Trains until a stop criterion holds; returns the history. Throws `TrainingError` when the loss
    /// turns NaN or infinite, and checkpoint errors when a checkpoint cannot be written.
    @discardableResult
    public func fit() throws -> TrainingHistory {
        while epoch < stop.maxEpochs {
            let (record, reason) = try runEpoch()
            epoch += 1
            history.epochs.append(record)
            let warnings = GradientFlow.warnings(record.gradientNorms, epoch: record.epoch, explodingThreshold: explodingThreshold)
            history.warnings += warnings
            for w in warnings { callbacks.forEach { $0.trainingDidWarn(w) } }
            let stopReason = reason ?? afterEpoch(record)
            callbacks.forEach { $0.epochDidEnd(record) }
            let last = stopReason != nil || epoch == stop.maxEpochs
            if let checkpointDirectory, last || epoch % Swift.max(checkpointInterval, 1) == 0 {
                try saveCheckpoint(to: checkpointDirectory)
            }
            if let stopReason {
                history.stopReason = stopReason
                return history
            }
        }
        history.stopReason = "reached \(stop.maxEpochs) epochs"
        return history
    }

    /// One pass over the training data (from where an interrupted run stopped), then validation.
    /// Returns the record and a stop reason, if any.
    private func runEpoch() throws -> (EpochRecord, String?) {
        let start = Timing.now()
        let batches = stepsPerPeriod
        var progress = self.progress ?? EpochProgress()
        self.progress = nil
        callbacks.forEach { $0.epochDidBegin(epoch + 1, batches: batches) }
        model.train()
        var reason: String?
        let position = evaluationInterval.map { _ in globalStep } ?? epoch * train.batchesPerEpoch + progress.batch
        for (x, y) in PeriodBatches(loader: train, start: position, count: batches - progress.batch) {
            if let stopRequest, stopRequest.isRequested {
                progress.seconds += Timing.now() - start
                try interrupt(progress, signal: stopRequest.signal)
            }
            let (value, norm, output) = try step(x, y, batch: progress.batch)
            let n = x.shape[0]
            progress.batch += 1
            progress.lossSum += value * Double(n)
            progress.samples += n
            if task == .classification { progress.correct += Metrics.correctCount(logits: output.detached(), targets: y) }
            let info = StepInfo(epoch: epoch + 1, batch: progress.batch - 1, batches: batches, globalStep: globalStep, loss: value,
                                runningLoss: progress.lossSum / Double(progress.samples),
                                runningAccuracy: task == .classification ? Double(progress.correct) / Double(progress.samples) : nil,
                                samples: n, samplesSoFar: progress.samples, gradientNorm: norm)
            callbacks.forEach { $0.stepDidEnd(info) }
            if let tol = stop.minGradientNorm, norm < tol {
                reason = "gradient norm \(norm) fell below \(tol) at epoch \(epoch + 1), step \(progress.batch)"
                break
            }
            if let maxSteps = stop.maxSteps, globalStep >= maxSteps {
                reason = "reached \(maxSteps) steps"
                break
            }
        }
        var record = finishedEpoch(progress)
        record.seconds = progress.seconds + Timing.now() - start
        return (record, reason)
    }

    /// The record of an epoch whose steps are done: its training figures, then validation.
    private func finishedEpoch(_ progress: EpochProgress) -> EpochRecord {
        let samples = Double(Swift.max(progress.samples, 1))
        var record = EpochRecord(epoch: epoch + 1, trainLoss: progress.lossSum / samples,
                                 trainAccuracy: task == .classification ? Double(progress.correct) / samples : nil,
                                 learningRate: optimizer.learningRate, seconds: 0, gradientNorms: flow.epochMeans(), step: globalStep)
        if let validation {
            let result = evaluate(model, on: validation, loss: loss, task: task, classes: classes, topK: topK)
            record.validationLoss = result.loss
            record.validationAccuracy = result.accuracy
            record.validationTopK = result.topK
        }
        return record
    }

    /// One optimizer step on a batch: returns the loss, the global gradient norm and the output.
    private func step(_ x: Tensor, _ y: Tensor, batch: Int) throws -> (Double, Double, Tensor) {
        schedule?.apply(to: optimizer, step: globalStep)
        let (value, output) = try accumulateGradients(x, y, batch: batch)
        try checkDivergence(value, step: batch + 1)
        let norm = flow.record()
        if let clipNorm { _ = clipGradNorm(optimizer.parameters, maxNorm: clipNorm) }
        if let clipValue { clipGradValue(optimizer.parameters, clipValue: clipValue) }
        optimizer.step()
        globalStep += 1
        return (value, norm, output)
    }

    /// Keeps the epoch's progress, writes a checkpoint that resumes at the next step, and throws.
    private func interrupt(_ progress: EpochProgress, signal: Int32?) throws -> Never {
        self.progress = progress.batch > 0 ? progress : nil
        if let checkpointDirectory { try saveCheckpoint(to: checkpointDirectory) }
        throw TrainingError.interrupted(signal: signal, epoch: epoch + 1, step: progress.batch,
                                        checkpoint: checkpointDirectory?.path)
    }

    /// The SHA-256 of the training samples, then of the validation samples.
    static func fingerprint(_ train: any Dataset, _ validation: (any Dataset)?) -> String {
        var hash = SHA256()
        train.fingerprint(into: &hash)
        validation?.fingerprint(into: &hash)
        return hash.hexDigest()
    }

    /// Throws when the loss has stayed above `divergenceFactor` × its best (floored at 1e-8, so a
    /// loss that reached 0 does not trip on noise) for `divergenceSteps` steps.
    private func checkDivergence(_ value: Double, step: Int) throws {
        if value > divergenceFactor * Swift.max(divergence.best, 1e-8) {
            divergence.stepsAbove += 1
            if divergence.stepsAbove >= divergenceSteps {
                throw TrainingError.diverged(epoch: epoch + 1, step: step, loss: value, best: divergence.best)
            }
        } else {
            divergence.stepsAbove = 0
        }
        divergence.best = Swift.min(divergence.best, value)
    }

    /// Schedulers, loss-change and early-stopping checks after an epoch; returns a stop reason, if any.
    private func afterEpoch(_ record: EpochRecord) -> String? {
        scheduler?.step()
        plateau?.step(metric: record.validationLoss ?? record.trainLoss)
        if let tol = stop.minLossChange, history.epochs.count >= 2 {
            let change = Swift.abs(history.epochs[history.epochs.count - 2].trainLoss - record.trainLoss)
            if change < tol { return "training loss changed by \(change) < \(tol) at epoch \(record.epoch)" }
        }
        guard let rule = stop.earlyStopping, let score = rule.score(record) else { return nil }
        if score < earlyStopping.best - rule.minDelta {
            earlyStopping = EarlyStoppingState(best: score, bestEpoch: record.epoch, badEpochs: 0)
            if rule.restoreBestWeights { bestWeights = model.stateDict() }
            return nil
        }
        earlyStopping.badEpochs += 1
        guard earlyStopping.badEpochs > rule.patience else { return nil }
        if rule.restoreBestWeights, let bestWeights { _ = try? model.loadStateDict(bestWeights) }
        return "early stopping: \(rule.monitor.rawValue) did not improve for \(rule.patience) epochs; "
            + (rule.restoreBestWeights ? "restored the weights of epoch \(earlyStopping.bestEpoch)" : "kept the last weights")
    }
}
