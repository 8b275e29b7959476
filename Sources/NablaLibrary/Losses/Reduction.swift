import NablaCore
import NablaBackend

/// How a loss turns its per-element values into the result, as PyTorch's `reduction=` argument.
///
/// ```swift
/// let perElement = mseLoss(prediction, target, reduction: .none)   // shape of prediction
/// let total = mseLoss(prediction, target, reduction: .sum)         // 0-d
/// ```
public enum Reduction: Sendable, Equatable, CaseIterable {
    /// The average over every element (PyTorch's default).
    case mean
    /// The sum over every element.
    case sum
    /// No reduction: one loss value per element (or per sample, for class losses).
    case none

    /// Reduces `loss` by this rule: a 0-d tensor for `.mean` and `.sum`, `loss` itself for `.none`.
    ///
    /// ```swift
    /// Reduction.mean.apply(Tensor([1, 2, 3]))   // tensor(2)
    /// ```
    public func apply(_ loss: Tensor) -> Tensor {
        switch self {
        case .mean: return loss.mean()
        case .sum: return loss.sum()
        case .none: return loss
        }
    }

    /// PyTorch's name for this reduction (`"mean"`, `"sum"`, `"none"`).
    public var torchName: String {
        switch self {
        case .mean: return "mean"
        case .sum: return "sum"
        case .none: return "none"
        }
    }
}

/// Accurate log(1 + x) for x > −1, composed from primitives so autograd differentiates it.
///
/// u = 1 + x rounds; d = x − (u − 1) is that rounding error, exact in floating point, and
/// log(1 + x) = log(u + d) ≈ log(u) + d/u. Its gradient is 1/u − d/u² ≈ 1/(1 + x).
package func log1pAccurate(_ x: Tensor) -> Tensor {
    let u = x + 1
    let roundingError = x - (u - 1)
    return u.log() + roundingError / u
}

/// x·log(y) with 0·log(y) = 0 where x = 0 (PyTorch's `xlogy`); no NaN reaches the gradient there.
package func xlogy(_ x: Tensor, _ y: Tensor) -> Tensor {
    let nonzero = x .!= 0
    let safeY = Tensor.where(nonzero, y, Tensor(1))
    return Tensor.where(nonzero, x * safeY.log(), Tensor(0))
}
