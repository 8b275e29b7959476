import Foundation
import NablaCore
import NablaBackend

/// A learning-rate schedule evaluated at every optimizer step, as a closed form of the step index:
/// an optional linear warm-up, then a decay. Each parameter group's rate is computed from its own
/// base rate (`OptimizerGroup.baseLearningRate`, PyTorch's `initial_lr`), as `LambdaLR` scales each
/// group's initial rate.
///
/// Because the rate depends only on the step and the base rate, a resumed run continues the schedule
/// exactly, and a resumed run given a new base rate follows the same curve scaled to it.
///
/// - Warm-up, for steps `0..<warmupSteps`: `base·(step + 1)/(warmupSteps + 1)`, nanoGPT's `get_lr`
///   (PyTorch: `LinearLR(start_factor: 1/(W+1), total_iters: W)`).
/// - `.cosine(minLearningRate:)`: from `base` at the end of warm-up to `minLearningRate` at the last
///   step, `totalSteps − 1`: `min + (base − min)·(1 + cos(π·(step − W)/(totalSteps − 1 − W)))/2`,
///   and `min` after it (PyTorch: `CosineAnnealingLR(T_max: totalSteps − 1 − W, eta_min: min)`).
/// - `.step(everyEpochs:gamma:)` and `.exponential(gamma:)` keep PyTorch's epoch semantics: the
///   epoch is `step / stepsPerEpoch`, and the rate is `base·gamma^⌊epoch/every⌋` or `base·gamma^epoch`.
///
/// ```swift
/// let schedule = StepSchedule(decay: .cosine(minLearningRate: 1e-4), warmupSteps: 100, totalSteps: 2000)
/// schedule.learningRate(base: 1e-3, step: 0)      // 1e-3 · 1/101
/// schedule.learningRate(base: 1e-3, step: 1999)   // 1e-4
/// schedule.apply(to: optimizer, step: trainer.globalStep)   // sets every group's rate
/// ```
public struct StepSchedule: Sendable, Equatable {
    /// What follows the warm-up.
    public enum Decay: Sendable, Equatable {
        /// The base rate throughout.
        case constant
        /// Multiply by `gamma` every `everyEpochs` epochs (PyTorch's `StepLR`).
        case step(everyEpochs: Int, gamma: Double)
        /// Multiply by `gamma` every epoch (PyTorch's `ExponentialLR`).
        case exponential(gamma: Double)
        /// Cosine decay to `minLearningRate` at the last step (nanoGPT's `get_lr`).
        case cosine(minLearningRate: Double)
    }

    /// What follows the warm-up.
    public var decay: Decay
    /// Steps of linear warm-up; 0 for none.
    public var warmupSteps: Int
    /// Optimizer steps per epoch, for the epoch-based decays.
    public var stepsPerEpoch: Int
    /// The run's total optimizer steps, for the cosine decay.
    public var totalSteps: Int

    /// A schedule; `stepsPerEpoch` matters only to `.step` and `.exponential`, `totalSteps` only to `.cosine`.
    public init(decay: Decay, warmupSteps: Int = 0, stepsPerEpoch: Int = 1, totalSteps: Int = 1) {
        precondition(warmupSteps >= 0, "StepSchedule: warmupSteps \(warmupSteps) must be zero or positive")
        precondition(stepsPerEpoch >= 1 && totalSteps >= 1, "StepSchedule: stepsPerEpoch and totalSteps must be positive")
        self.decay = decay
        self.warmupSteps = warmupSteps
        self.stepsPerEpoch = stepsPerEpoch
        self.totalSteps = totalSteps
    }

    /// The rate of optimizer step `step` (counted from 0) for a group whose base rate is `base`.
    public func learningRate(base: Double, step: Int) -> Double {
        if step < warmupSteps { return base * Double(step + 1) / Double(warmupSteps + 1) }
        let epoch = step / stepsPerEpoch
        switch decay {
        case .constant: return base
        case .step(let every, let gamma): return base * pow(gamma, Double(epoch / every))
        case .exponential(let gamma): return base * pow(gamma, Double(epoch))
        case .cosine(let floor):
            let span = totalSteps - 1 - warmupSteps
            guard span > 0 else { return base }
            let ratio = Swift.min(Double(step - warmupSteps) / Double(span), 1)
            return floor + (base - floor) * 0.5 * (1 + cos(Double.pi * ratio))
        }
    }

    /// Sets every group's learning rate for optimizer step `step` from the group's base rate.
    public func apply(to optimizer: Optimizer, step: Int) {
        for index in optimizer.groups.indices {
            optimizer.groups[index].learningRate = learningRate(base: optimizer.groups[index].baseLearningRate, step: step)
        }
    }
}
