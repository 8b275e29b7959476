import NablaCore
import NablaBackend

// Margin losses: the binary hinge family and exponential loss on labels ±1, and PyTorch's
// multi-class `MultiMarginLoss`.

/// Hinge loss max(0, 1 − y·s) of `scores` s against `labels` y ∈ {−1, 1}, as a linear SVM's.
///
/// ```swift
/// hingeLoss(Tensor([2, 0.5, -1]), Tensor([1, 1, 1]))   // tensor(0.8333) = (0 + 0.5 + 2) / 3
/// ```
public func hingeLoss(_ scores: Tensor, _ labels: Tensor, reduction: Reduction = .mean) -> Tensor {
    checkSignLabels("hingeLoss", scores, labels)
    return reduction.apply((1 - labels * scores).relu())
}

/// Squared hinge loss max(0, 1 − y·s)² of `scores` against `labels` ∈ {−1, 1}, differentiable at the margin.
///
/// ```swift
/// squaredHingeLoss(Tensor([2, 0.5, -1]), Tensor([1, 1, 1]))   // tensor(1.4167) = (0 + 0.25 + 4) / 3
/// ```
public func squaredHingeLoss(_ scores: Tensor, _ labels: Tensor, reduction: Reduction = .mean) -> Tensor {
    checkSignLabels("squaredHingeLoss", scores, labels)
    return reduction.apply((1 - labels * scores).relu().squared())
}

/// Exponential loss e^(−y·s) of `scores` against `labels` ∈ {−1, 1}, the loss AdaBoost minimizes.
///
/// ```swift
/// exponentialLoss(Tensor([0, 1]), Tensor([1, -1]))   // tensor(1.8591) = (1 + e) / 2
/// ```
public func exponentialLoss(_ scores: Tensor, _ labels: Tensor, reduction: Reduction = .mean) -> Tensor {
    checkSignLabels("exponentialLoss", scores, labels)
    return reduction.apply((-(labels * scores)).exp())
}

/// Multi-class margin loss, as `F.multi_margin_loss`: for logits x [N, C] (or [C]) and class indices y [N]
/// (or []), each sample's loss is Σ_{i ≠ y} w_y·max(0, margin − x_y + x_i)^p / C, with p 1 or 2 and
/// w the optional class `weight` [C]. `.mean` averages over samples.
///
/// ```swift
/// let logits = Tensor([[0.1, 0.2, 0.4, 0.8]])
/// multiMarginLoss(logits, Tensor([3]))   // tensor(0.325) = (0.3 + 0.4 + 0.6) / 4
/// ```
public func multiMarginLoss(_ logits: Tensor, _ targets: Tensor, p: Int = 1, margin: Float = 1, weight: Tensor? = nil,
                            reduction: Reduction = .mean) -> Tensor {
    precondition(logits.rank == 1 || logits.rank == 2, "multiMarginLoss: expected logits [N, C] or [C], got \(logits.shape)")
    precondition(p == 1 || p == 2, "multiMarginLoss: p must be 1 or 2, got \(p)")
    let classes = logits.shape[logits.rank - 1]
    let expected = Array(logits.shape.dropLast())
    precondition(targets.shape == expected,
                 "multiMarginLoss: logits \(logits.shape) and targets \(targets.shape) do not match; expected class indices \(expected)")
    LossCheck.require(LossCheck.classIndexError("multiMarginLoss", targets: targets, classes: classes))
    if let weight { LossCheck.require(LossCheck.classWeightError("multiMarginLoss", weight: weight.shape, classes: classes)) }

    let index = targets.unsqueeze(axis: -1)
    let targetScores = logits.gather(axis: -1, index: index)
    let hinge = ((margin - targetScores) + logits).relu()
    let powered = p == 1 ? hinge : hinge.squared()
    let others = 1 - oneHot(targets, classes: classes)       // the target class is left out of the sum
    var perSample = (powered * others).sum(axis: -1) / Tensor(Float(classes))
    if let weight { perSample = perSample * weight.gather(axis: 0, index: targets.reshape([-1])).reshape(expected) }
    return reduction.apply(perSample)
}

private func checkSignLabels(_ loss: String, _ scores: Tensor, _ labels: Tensor) {
    LossCheck.require(LossCheck.shapeError(loss, input: scores.shape, target: labels.shape, names: ("scores", "labels")))
    LossCheck.require(LossCheck.signLabelError(loss, labels: labels))
}
