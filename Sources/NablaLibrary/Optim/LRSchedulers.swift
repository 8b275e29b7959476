import Foundation
import NablaCore
import NablaBackend

/// Multiplies the learning rate by `gamma` every `stepSize` epochs, as `torch.optim.lr_scheduler.StepLR`:
/// lr = baseLR · gamma^⌊epoch / stepSize⌋ (applied recursively, as PyTorch does).
///
/// ```swift
/// let scheduler = StepLR(optimizer, stepSize: 30, gamma: 0.1)   // 0.1 → 0.01 at epoch 30 → …
/// scheduler.step()                                             // once per epoch
/// ```
public final class StepLR: LRScheduler, @unchecked Sendable {
    public let stepSize: Int
    public let gamma: Double

    /// Attaches to `optimizer`; its current learning rate is the base rate.
    public init(_ optimizer: Optimizer, stepSize: Int, gamma: Double = Hyperparameters.lrGamma.defaultValue) {
        Hyperparameters.lrStepSize.require(stepSize, in: "StepLR")
        Hyperparameters.lrGamma.require(gamma, in: "StepLR")
        self.stepSize = stepSize
        self.gamma = gamma
        super.init(optimizer)
    }

    override public func nextLearningRate(current: Double) -> Double {
        lastEpoch == 0 || lastEpoch % stepSize != 0 ? current : current * gamma
    }
}

/// Multiplies the learning rate by `gamma` every epoch, as `torch.optim.lr_scheduler.ExponentialLR`.
///
/// ```swift
/// let scheduler = ExponentialLR(optimizer, gamma: 0.95)
/// scheduler.step()   // lr ← 0.95·lr
/// ```
public final class ExponentialLR: LRScheduler, @unchecked Sendable {
    public let gamma: Double

    /// Attaches to `optimizer`; its current learning rate is the base rate.
    public init(_ optimizer: Optimizer, gamma: Double) {
        Hyperparameters.lrGamma.require(gamma, in: "ExponentialLR")
        self.gamma = gamma
        super.init(optimizer)
    }

    override public func nextLearningRate(current: Double) -> Double {
        lastEpoch == 0 ? current : current * gamma
    }
}

/// Cosine annealing from the base rate to `etaMin` over `tMax` epochs, then back up, as
/// `torch.optim.lr_scheduler.CosineAnnealingLR` (its recursive form, so rates equal PyTorch's):
/// lr = etaMin + (baseLR − etaMin)·(1 + cos(π·epoch / tMax)) / 2.
///
/// ```swift
/// let scheduler = CosineAnnealingLR(optimizer, tMax: 50, etaMin: 1e-5)
/// scheduler.step()
/// ```
public final class CosineAnnealingLR: LRScheduler, @unchecked Sendable {
    public let tMax: Int
    public let etaMin: Double

    /// Attaches to `optimizer`; its current learning rate is the base rate, reached again every `2·tMax` epochs.
    public init(_ optimizer: Optimizer, tMax: Int, etaMin: Double = 0) {
        precondition(tMax > 0, "CosineAnnealingLR: tMax \(tMax) must be positive")
        self.tMax = tMax
        self.etaMin = etaMin
        super.init(optimizer)
    }

    override public func nextLearningRate(current: Double) -> Double {
        let epoch = Double(lastEpoch), period = Double(tMax)
        if lastEpoch == 0 { return current }
        if (lastEpoch - 1 - tMax) % (2 * tMax) == 0 {
            // The recursion's denominator vanishes here; PyTorch steps off the minimum explicitly.
            return current + (baseLR - etaMin) * (1 - cos(Double.pi / period)) / 2
        }
        return (1 + cos(Double.pi * epoch / period)) / (1 + cos(Double.pi * (epoch - 1) / period))
            * (current - etaMin) + etaMin
    }
}

/// Scales the learning rate linearly from `startFactor`·baseLR to `endFactor`·baseLR over
/// `totalIters` epochs, then keeps it, as `torch.optim.lr_scheduler.LinearLR` (recursive form).
/// With `startFactor < endFactor = 1` this is a linear warm-up.
///
/// ```swift
/// let warmup = LinearLR(optimizer, startFactor: 0.1, endFactor: 1, totalIters: 5)
/// warmup.step()   // 0.1·lr, 0.28·lr, 0.46·lr, … lr from epoch 5
/// ```
public final class LinearLR: LRScheduler, @unchecked Sendable {
    public let startFactor: Double
    public let endFactor: Double
    public let totalIters: Int

    /// Attaches to `optimizer` and sets its rate to `startFactor`·(current rate) for epoch 0.
    public init(_ optimizer: Optimizer, startFactor: Double = 1.0 / 3, endFactor: Double = 1, totalIters: Int = 5) {
        precondition(startFactor > 0 && startFactor <= 1, "LinearLR: startFactor \(startFactor) must be in (0, 1]")
        precondition(endFactor >= 0 && endFactor <= 1, "LinearLR: endFactor \(endFactor) must be in [0, 1]")
        precondition(totalIters > 0, "LinearLR: totalIters \(totalIters) must be positive")
        self.startFactor = startFactor
        self.endFactor = endFactor
        self.totalIters = totalIters
        super.init(optimizer)
    }

    override public func nextLearningRate(current: Double) -> Double {
        if lastEpoch == 0 { return current * startFactor }
        if lastEpoch > totalIters { return current }
        let change = endFactor - startFactor
        return current * (1 + change / (Double(totalIters) * startFactor + Double(lastEpoch - 1) * change))
    }
}

/// A linear learning-rate warm-up: `LinearLR` under the name most training recipes use.
///
/// ```swift
/// let warmup = LinearWarmup(optimizer, startFactor: 0.01, totalIters: 10)
/// ```
public typealias LinearWarmup = LinearLR
