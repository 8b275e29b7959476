import NablaCore
import NablaBackend

// Regression losses, as `torch.nn.functional` (mse, l1, smooth L1, Huber) and scikit-learn (MSLE, MAPE).
// Input and target must have the same shape; both may require gradients.

/// Mean squared error, (input − target)², as `F.mse_loss`.
///
/// ```swift
/// mseLoss(Tensor([1, 2]), Tensor([0, 0]))   // tensor(2.5)
/// ```
public func mseLoss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    LossCheck.require(LossCheck.shapeError("mseLoss", input: input.shape, target: target.shape))
    return reduction.apply((input - target).squared())
}

/// Mean absolute error |input − target| (MAE), as `F.l1_loss`; the gradient at a zero error is 0.
///
/// ```swift
/// l1Loss(Tensor([1, -3]), Tensor([0, 0]))   // tensor(2)
/// ```
public func l1Loss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    LossCheck.require(LossCheck.shapeError("l1Loss", input: input.shape, target: target.shape))
    return reduction.apply((input - target).abs())
}

/// Root mean squared error.
///
/// - `.mean`: √(mean((input − target)²)), the usual RMSE, as `torch.sqrt(F.mse_loss(x, y))`;
/// - `.sum`: √(Σ(input − target)²), the Euclidean norm of the error;
/// - `.none`: √((input − target)²) = |input − target| per element.
///
/// Like `torch.sqrt(F.mse_loss(…))`, the gradient is NaN when every error is exactly zero.
///
/// ```swift
/// rmseLoss(Tensor([3, 4]), Tensor([0, 0]))                    // tensor(3.5355)
/// rmseLoss(Tensor([3, 4]), Tensor([0, 0]), reduction: .sum)   // tensor(5)
/// ```
public func rmseLoss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    LossCheck.require(LossCheck.shapeError("rmseLoss", input: input.shape, target: target.shape))
    if reduction == .none { return (input - target).abs() }
    return reduction.apply((input - target).squared()).sqrt()
}

/// Mean squared logarithmic error (log(1 + input) − log(1 + target))², as scikit-learn's
/// `mean_squared_log_error`; log1p is evaluated accurately. Targets must be greater than −1. A
/// prediction at or below −1 is a model's output, not a mistake in the call: the loss is then
/// −inf or NaN, which a training loop reports as a non-finite loss.
///
/// ```swift
/// msleLoss(Tensor([3]), Tensor([1]))   // tensor(0.4805) = (ln 4 − ln 2)²
/// ```
public func msleLoss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    LossCheck.require(LossCheck.shapeError("msleLoss", input: input.shape, target: target.shape))
    LossCheck.require(LossCheck.aboveMinusOneError("msleLoss", "target", target))
    return reduction.apply((log1pAccurate(input) - log1pAccurate(target)).squared())
}

/// Mean absolute percentage error |input − target| / max(|target|, ε), as scikit-learn's
/// `mean_absolute_percentage_error`: a fraction (0.1 means 10 %), with ε = float64 machine epsilon
/// so that a zero target gives a large but finite loss.
///
/// ```swift
/// mapeLoss(Tensor([110, 45]), Tensor([100, 50]))   // tensor(0.1)
/// ```
public func mapeLoss(_ input: Tensor, _ target: Tensor, epsilon: Float = Float(Double.ulpOfOne),
                     reduction: Reduction = .mean) -> Tensor {
    LossCheck.require(LossCheck.shapeError("mapeLoss", input: input.shape, target: target.shape))
    precondition(epsilon > 0, "mapeLoss: epsilon \(epsilon) must be positive")
    return reduction.apply((input - target).abs() / target.abs().clamp(min: epsilon))
}

/// Smooth L1 loss, as `F.smooth_l1_loss(input, target, beta=beta)`: 0.5·d²/β where |d| < β,
/// |d| − 0.5·β elsewhere, with d = input − target. β = 0 gives the L1 loss.
///
/// ```swift
/// smoothL1Loss(Tensor([0.5, 3]), Tensor([0, 0]))   // tensor(1.3125) = (0.125 + 2.5) / 2
/// ```
public func smoothL1Loss(_ input: Tensor, _ target: Tensor, beta: Float = 1, reduction: Reduction = .mean) -> Tensor {
    LossCheck.require(LossCheck.shapeError("smoothL1Loss", input: input.shape, target: target.shape))
    precondition(beta >= 0, "smoothL1Loss: beta \(beta) must be non-negative")
    let difference = input - target
    let magnitude = difference.abs()
    if beta == 0 { return reduction.apply(magnitude) }
    let quadratic = difference.squared() * (0.5 / beta)
    return reduction.apply(Tensor.where(magnitude .< beta, quadratic, magnitude - 0.5 * beta))
}

/// Huber loss, as `F.huber_loss(input, target, delta=delta)`: 0.5·d² where |d| < δ,
/// δ·(|d| − 0.5·δ) elsewhere; equal to δ · smoothL1Loss(beta: δ).
///
/// ```swift
/// huberLoss(Tensor([0.5, 3]), Tensor([0, 0]), delta: 2)   // tensor(2.0625) = (0.125 + 4) / 2
/// ```
public func huberLoss(_ input: Tensor, _ target: Tensor, delta: Float = 1, reduction: Reduction = .mean) -> Tensor {
    LossCheck.require(LossCheck.shapeError("huberLoss", input: input.shape, target: target.shape))
    precondition(delta > 0, "huberLoss: delta \(delta) must be positive")
    let difference = input - target
    let magnitude = difference.abs()
    let quadratic = difference.squared() * 0.5
    return reduction.apply(Tensor.where(magnitude .< delta, quadratic, (magnitude - 0.5 * delta) * delta))
}
