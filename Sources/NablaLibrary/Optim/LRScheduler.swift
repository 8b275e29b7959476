import NablaCore
import NablaBackend

/// The base class of epoch-based learning-rate schedules, as `torch.optim.lr_scheduler.LRScheduler`.
///
/// It sets `Optimizer.learningRate`, that is every parameter group to the same rate: use it with
/// one-group optimizers. `StepSchedule` scales each group's own base rate, step by step.
///
/// A scheduler writes the optimizer's `learningRate`. Creating one performs PyTorch's initial step
/// (epoch 0); call `step()` once per epoch, after that epoch's optimizer steps. Subclasses compute the
/// next rate in `nextLearningRate(current:)` with PyTorch's recursive formulas, in double precision,
/// so the rates equal PyTorch's `get_last_lr()`.
///
/// ```swift
/// let optimizer = SGD(model.parameters, learningRate: 0.1, momentum: 0.9)
/// let scheduler = StepLR(optimizer, stepSize: 30, gamma: 0.1)
/// for epoch in 0..<100 {
///     train(model, optimizer)   // zeroGrad(); loss.backward(); optimizer.step() per batch
///     scheduler.step()
/// }
/// ```
open class LRScheduler: @unchecked Sendable {
    /// The optimizer whose learning rate this schedule sets.
    public let optimizer: Optimizer
    /// The optimizer's learning rate when the scheduler was created.
    public private(set) var baseLR: Double
    /// The number of `step()` calls so far (PyTorch's `last_epoch`; 0 right after creation).
    public private(set) var lastEpoch = 0
    /// The learning rate this scheduler last set (PyTorch's `get_last_lr()[0]`).
    public private(set) var lastLR: Double

    /// Attaches to `optimizer` and performs the initial step (epoch 0).
    public init(_ optimizer: Optimizer) {
        self.optimizer = optimizer
        self.baseLR = optimizer.learningRate
        self.lastLR = optimizer.learningRate
        apply(nextLearningRate(current: optimizer.learningRate))
    }

    /// The learning rate for epoch `lastEpoch` (already advanced), given the optimizer's `current`
    /// rate. Subclasses override this.
    open func nextLearningRate(current: Double) -> Double {
        preconditionFailure("\(type(of: self)): nextLearningRate(current:) is not overridden")
    }

    /// Advances one epoch and sets the optimizer's learning rate.
    ///
    /// ```swift
    /// scheduler.step()
    /// print(scheduler.lastLR)
    /// ```
    public func step() {
        lastEpoch += 1
        apply(nextLearningRate(current: optimizer.learningRate))
    }

    private func apply(_ rate: Double) {
        optimizer.learningRate = rate
        lastLR = rate
    }

    /// The counters needed to resume: `last_epoch`, `base_lr` and `last_lr` (doubles, so exact).
    /// Hyperparameters such as `gamma` come from the initializer.
    ///
    /// ```swift
    /// let saved = scheduler.stateDict()
    /// let resumed = StepLR(optimizer, stepSize: 30, gamma: 0.1)
    /// try resumed.loadStateDict(saved)
    /// optimizer.learningRate = resumed.lastLR   // the optimizer's rate is the optimizer's to restore
    /// ```
    public func stateDict() -> [String: Double] {
        ["last_epoch": Double(lastEpoch), "base_lr": baseLR, "last_lr": lastLR]
    }

    /// Restores the counters. Like PyTorch's `load_state_dict`, it leaves the optimizer's learning
    /// rate alone: that belongs to the optimizer's state (`Trainer.resume` restores it exactly).
    public func loadStateDict(_ dict: [String: Double]) throws {
        let epoch = try schedulerValue(dict, "last_epoch", wholeNumber: true)
        let base = try schedulerValue(dict, "base_lr")
        let last = try schedulerValue(dict, "last_lr")
        lastEpoch = Int(epoch)
        baseLR = base
        lastLR = last
    }
}

/// Reads `key` from a scheduler state dict, checking that it is present, finite and non-negative
/// (and a whole number when asked).
package func schedulerValue(_ dict: [String: Double], _ key: String, wholeNumber: Bool = false) throws -> Double {
    guard let value = dict[key] else {
        throw OptimizerStateError(key: key, "missing from the scheduler state", hint: "pass the dictionary returned by stateDict()")
    }
    guard value.isFinite, !wholeNumber || (value >= 0 && value == value.rounded()) else {
        throw OptimizerStateError(key: key, "invalid value \(value)",
                                  hint: wholeNumber ? "expected a non-negative whole number" : "expected a finite number")
    }
    return value
}
