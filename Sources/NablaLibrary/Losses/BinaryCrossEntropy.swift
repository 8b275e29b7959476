import NablaCore
import NablaBackend

// Binary cross-entropy on probabilities and on logits, as `F.binary_cross_entropy` and
// `F.binary_cross_entropy_with_logits`. Targets lie in [0, 1] (hard 0/1 labels or soft labels).

/// Binary cross-entropy of `probabilities` in [0, 1] against `targets` in [0, 1], as
/// `F.binary_cross_entropy`: −w·[pw·t·log p + (1 − t)·log(1 − p)], each log clamped at −100 as
/// PyTorch does, so p = 0 or 1 gives a finite loss.
///
/// - Parameters:
///   - weight: a rescaling of each element's loss, broadcast to the input's shape.
///   - posWeight: pw, the weight of the positive term, broadcast to the input's shape (PyTorch
///     offers it only with logits; here it has the same meaning). `nil` means 1.
///
/// Away from p ∈ {0, 1} the gradient equals PyTorch's −w·(t − p)/(p(1 − p)). Where p is exactly 0 or 1,
/// PyTorch returns (p − t)/10⁻¹²; here a log clamped at −100 passes no gradient.
///
/// ```swift
/// let p = Tensor([0.9, 0.2]), y = Tensor([1, 0])
/// binaryCrossEntropy(p, y)   // tensor(0.1643) = −(ln 0.9 + ln 0.8) / 2
/// ```
public func binaryCrossEntropy(_ probabilities: Tensor, _ targets: Tensor, weight: Tensor? = nil,
                               posWeight: Tensor? = nil, reduction: Reduction = .mean) -> Tensor {
    checkBinaryInputs("binaryCrossEntropy", probabilities, targets, weight: weight, posWeight: posWeight,
                      inputName: "probabilities")
    LossCheck.require(LossCheck.rangeError("binaryCrossEntropy", "probabilities", probabilities, in: 0...1))
    let positive = posWeight.map { targets * $0 } ?? targets
    var loss = -(positive * clampedLog(probabilities) + (1 - targets) * clampedLog(1 - probabilities))
    if let weight { loss = loss * weight }
    return reduction.apply(loss)
}

/// Binary cross-entropy of raw scores, as `F.binary_cross_entropy_with_logits`:
/// (1 − t)·x + l·log(1 + e^−x) with l = 1 + (pw − 1)·t, times `weight`.
///
/// It is evaluated as [(1 − t)·x where x ≥ 0, −pw·t·x elsewhere] + l·log1p(e^−|x|), the same function
/// written with terms that neither overflow nor cancel, so logits of ±100 give accurate, finite losses,
/// and the gradient l·σ(x) − pw·t (times `weight`) matches PyTorch's, at x = 0 too.
///
/// - Parameters:
///   - weight: a rescaling of each element's loss, broadcast to the input's shape.
///   - posWeight: pw, the weight of positive examples per class, broadcast to the input's shape
///     (typically [C] for logits [N, C]); `nil` means 1.
///
/// ```swift
/// let logits = Tensor([2.0, -1.0]), y = Tensor([1, 0])
/// binaryCrossEntropyWithLogits(logits, y)   // tensor(0.2201) = (softplus(−2) + softplus(−1)) / 2
/// ```
public func binaryCrossEntropyWithLogits(_ logits: Tensor, _ targets: Tensor, weight: Tensor? = nil,
                                         posWeight: Tensor? = nil, reduction: Reduction = .mean) -> Tensor {
    checkBinaryInputs("binaryCrossEntropyWithLogits", logits, targets, weight: weight, posWeight: posWeight,
                      inputName: "logits")
    let positive = posWeight.map { targets * $0 } ?? targets     // pw·t
    let logWeight = posWeight.map { 1 + ($0 - 1) * targets }      // l = 1 + (pw − 1)·t
    let nonNegative = logits .>= 0
    // The branch at x = 0 is x ≥ 0 for both terms, so the gradient there is (1 − t) − l/2, as PyTorch's.
    let linear = Tensor.where(nonNegative, (1 - targets) * logits, -(positive * logits))
    let negativeMagnitude = Tensor.where(nonNegative, -logits, logits)   // −|x|
    let softTerm = log1pAccurate(negativeMagnitude.exp())
    var loss = linear + (logWeight.map { $0 * softTerm } ?? softTerm)
    if let weight { loss = loss * weight }
    return reduction.apply(loss)
}

/// log(x) clamped below at −100 as PyTorch's BCE; where x = 0 the value is −100 and no NaN
/// reaches the gradient.
private func clampedLog(_ x: Tensor) -> Tensor {
    let positive = x .> 0
    let safe = Tensor.where(positive, x, Tensor(1))
    return Tensor.where(positive, safe.log().clamp(min: -100), Tensor(-100))
}

private func checkBinaryInputs(_ loss: String, _ input: Tensor, _ targets: Tensor, weight: Tensor?, posWeight: Tensor?,
                               inputName: String) {
    LossCheck.require(LossCheck.shapeError(loss, input: input.shape, target: targets.shape, names: (inputName, "targets")))
    LossCheck.require(LossCheck.rangeError(loss, "targets", targets, in: 0...1))
    if let weight { LossCheck.require(LossCheck.broadcastWeightError(loss, "weight", weight: weight.shape, shape: input.shape)) }
    if let posWeight {
        LossCheck.require(LossCheck.broadcastWeightError(loss, "posWeight", weight: posWeight.shape, shape: input.shape))
    }
}
