import NablaCore
import NablaBackend

/// Cuts the learning rate by `factor` when a metric stops improving, as
/// `torch.optim.lr_scheduler.ReduceLROnPlateau`.
///
/// A metric improves when it beats the best so far by more than `threshold` (relative:
/// `best·(1 ∓ threshold)`, or absolute: `best ∓ threshold`). After more than `patience` epochs without
/// improvement the rate becomes `max(lr·factor, minLR)` (unless that changes it by `eps` or less) and
/// `cooldown` epochs follow in which bad epochs are not counted.
///
/// ```swift
/// let scheduler = ReduceLROnPlateau(optimizer, mode: .min, factor: 0.5, patience: 3)
/// for epoch in 0..<100 {
///     train(model, optimizer)
///     scheduler.step(metric: validationLoss(model))
/// }
/// ```
public final class ReduceLROnPlateau: @unchecked Sendable {
    /// Whether a lower (`min`, e.g. a loss) or higher (`max`, e.g. an accuracy) metric is better.
    public enum Mode: String, Sendable { case min, max }
    /// Whether `threshold` is relative to the best value or absolute.
    public enum ThresholdMode: String, Sendable { case rel, abs }

    public let optimizer: Optimizer
    public let mode: Mode
    public let factor: Double
    public let patience: Int
    public let threshold: Double
    public let thresholdMode: ThresholdMode
    public let cooldown: Int
    public let minLR: Double
    public let eps: Double

    /// The best metric so far (±infinity before the first `step`).
    public private(set) var best: Double
    /// Epochs since the last improvement, not counting cooldown.
    public private(set) var numBadEpochs = 0
    /// Epochs of cooldown left.
    public private(set) var cooldownCounter = 0
    /// The number of `step(metric:)` calls so far.
    public private(set) var lastEpoch = 0
    /// The optimizer's learning rate after the last step.
    public private(set) var lastLR: Double

    /// Attaches to `optimizer` with PyTorch's defaults (`factor = 0.1`, `patience = 10`, `threshold = 1e-4` relative);
    /// `factor` and `patience` come from `Hyperparameters.lrGamma` and `Hyperparameters.plateauPatience`.
    public init(_ optimizer: Optimizer, mode: Mode = .min, factor: Double = Hyperparameters.lrGamma.defaultValue,
                patience: Int = Hyperparameters.plateauPatience.defaultValue,
                threshold: Double = 1e-4, thresholdMode: ThresholdMode = .rel, cooldown: Int = 0,
                minLR: Double = 0, eps: Double = 1e-8) {
        Hyperparameters.lrGamma.require(factor, in: "ReduceLROnPlateau")
        Hyperparameters.plateauPatience.require(patience, in: "ReduceLROnPlateau")
        precondition(cooldown >= 0, "ReduceLROnPlateau: cooldown \(cooldown) must be non-negative")
        self.optimizer = optimizer
        self.mode = mode
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.thresholdMode = thresholdMode
        self.cooldown = cooldown
        self.minLR = minLR
        self.eps = eps
        self.best = mode == .min ? .infinity : -.infinity
        self.lastLR = optimizer.learningRate
    }

    /// Records one epoch's `metric` and reduces the learning rate if it has plateaued.
    ///
    /// ```swift
    /// scheduler.step(metric: 0.42)
    /// ```
    public func step(metric: Double) {
        lastEpoch += 1
        if isBetter(metric) {
            best = metric
            numBadEpochs = 0
        } else {
            numBadEpochs += 1
        }
        if cooldownCounter > 0 {
            cooldownCounter -= 1
            numBadEpochs = 0
        }
        if numBadEpochs > patience {
            reduce()
            cooldownCounter = cooldown
            numBadEpochs = 0
        }
        lastLR = optimizer.learningRate
    }

    private func isBetter(_ value: Double) -> Bool {
        switch (mode, thresholdMode) {
        case (.min, .rel): return value < best * (1 - threshold)
        case (.min, .abs): return value < best - threshold
        case (.max, .rel): return value > best * (threshold + 1)
        case (.max, .abs): return value > best + threshold
        }
    }

    /// Cuts every parameter group's rate, as PyTorch does group by group.
    private func reduce() {
        for g in optimizer.groups.indices {
            let old = optimizer.groups[g].learningRate
            let new = Swift.max(old * factor, minLR)
            if old - new > eps { optimizer.groups[g].learningRate = new }
        }
    }

    /// The counters needed to resume: `last_epoch`, `best` (may be ±infinity), `num_bad_epochs`,
    /// `cooldown_counter` and `last_lr`.
    ///
    /// ```swift
    /// let saved = scheduler.stateDict()
    /// try ReduceLROnPlateau(optimizer, patience: 3).loadStateDict(saved)
    /// ```
    public func stateDict() -> [String: Double] {
        ["last_epoch": Double(lastEpoch), "best": best, "num_bad_epochs": Double(numBadEpochs),
         "cooldown_counter": Double(cooldownCounter), "last_lr": lastLR]
    }

    /// Restores the counters. Like PyTorch's `load_state_dict`, it leaves the optimizer's learning
    /// rate alone: that belongs to the optimizer's state (`Trainer.resume` restores it exactly).
    public func loadStateDict(_ dict: [String: Double]) throws {
        let epoch = try schedulerValue(dict, "last_epoch", wholeNumber: true)
        guard let savedBest = dict["best"], !savedBest.isNaN else {
            throw OptimizerStateError(key: "best", "missing or NaN", hint: "pass the dictionary returned by stateDict()")
        }
        let bad = try schedulerValue(dict, "num_bad_epochs", wholeNumber: true)
        let cooling = try schedulerValue(dict, "cooldown_counter", wholeNumber: true)
        let last = try schedulerValue(dict, "last_lr")
        lastEpoch = Int(epoch)
        best = savedBest
        numBadEpochs = Int(bad)
        cooldownCounter = Int(cooling)
        lastLR = last
    }
}
