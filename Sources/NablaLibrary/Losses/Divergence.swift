import NablaCore
import NablaBackend

// The Kullback–Leibler divergence loss, as `torch.nn.KLDivLoss` / `F.kl_div`.

/// The reductions of `klDivLoss`: PyTorch's `"mean"`, `"sum"`, `"none"` and `"batchmean"`.
public enum KLDivReduction: Sendable, Equatable, CaseIterable {
    /// The average over every element, as PyTorch's `"mean"` (not the mathematical KL divergence).
    case mean
    /// The sum over every element.
    case sum
    /// One value per element.
    case none
    /// The sum divided by the batch size (the first dimension): the KL divergence per sample.
    case batchMean

    /// The `klDivLoss` reduction that matches a general `Reduction`.
    ///
    /// ```swift
    /// KLDivReduction(.sum)   // .sum
    /// ```
    public init(_ reduction: Reduction) {
        switch reduction {
        case .mean: self = .mean
        case .sum: self = .sum
        case .none: self = .none
        }
    }
}

/// KL divergence loss of `input` (log-probabilities) against `target`, as `F.kl_div`.
///
/// Per element: t·(log t − x) with 0·log 0 = 0 when `logTarget` is false (t holds probabilities), or
/// eᵗ·(t − x) when `logTarget` is true (t holds log-probabilities). Use `.batchMean` for the
/// divergence per sample; `.mean` divides by the number of elements, as PyTorch.
///
/// ```swift
/// let logQ = Tensor([[0.25, 0.75]]).log(), p = Tensor([[0.5, 0.5]])
/// klDivLoss(logQ, p, reduction: .batchMean)   // KL(p ‖ q) = 0.1438
/// ```
public func klDivLoss(_ input: Tensor, _ target: Tensor, reduction: KLDivReduction = .mean,
                      logTarget: Bool = false) -> Tensor {
    LossCheck.require(LossCheck.shapeError("klDivLoss", input: input.shape, target: target.shape))
    let loss = logTarget ? target.exp() * (target - input) : xlogy(target, target) - target * input
    switch reduction {
    case .mean: return loss.mean()
    case .sum: return loss.sum()
    case .none: return loss
    case .batchMean: return input.rank == 0 ? loss.sum() : loss.sum() / Tensor(Float(input.shape[0]))
    }
}
