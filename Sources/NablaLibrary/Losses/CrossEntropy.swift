import NablaCore
import NablaBackend

// Multi-class cross-entropy and negative log-likelihood, as `F.cross_entropy` and `F.nll_loss`.
//
// The class axis is axis 1 of inputs [N, C] or [N, C, d1, …], and axis 0 of an unbatched input [C].
// Class-index targets are Float tensors of integral values with the input's shape minus the class axis.

/// Cross-entropy of raw `logits` against class indices or class probabilities, as `F.cross_entropy`.
///
/// - `targets` with the logits' shape are probabilities (one-hot or soft): each row's loss is
///   −Σ_c w_c·t_c·log softmax(x)_c, and `.mean` averages over rows (not over weights), as PyTorch.
/// - otherwise `targets` are class indices [N] (or [N, d1, …]): each loss is −w_y·log softmax(x)_y;
///   `.mean` divides by the sum of the targets' weights w_y (the count of targets without `weight`),
///   leaving out targets equal to `ignoreIndex`.
/// - `labelSmoothing` ε mixes in the uniform distribution as PyTorch does: (1 − ε)·loss + (ε/C)·Σ_c(−w_c·log p_c)
///   for indices (the same normalization), and targets t·(1 − ε) + ε/C for probabilities.
///
/// ```swift
/// let logits = Tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
/// crossEntropy(logits, Tensor([0, 2]))                          // class indices
/// crossEntropy(logits, Tensor([[1, 0, 0], [0, 0, 1]]))          // the same loss from one-hot rows
/// crossEntropy(logits, Tensor([0, 2]), weight: Tensor([1, 1, 2]), labelSmoothing: 0.1)
/// ```
public func crossEntropy(_ logits: Tensor, _ targets: Tensor, weight: Tensor? = nil, labelSmoothing: Float = 0,
                         ignoreIndex: Int? = nil, reduction: Reduction = .mean) -> Tensor {
    let layout = ClassLayout("crossEntropy", logits, weight: weight)
    precondition((0...1).contains(labelSmoothing), "crossEntropy: labelSmoothing \(labelSmoothing) must lie in [0, 1]")
    let logProbabilities = logits.logSoftmax(axis: layout.axis)
    if targets.shape == logits.shape {
        precondition(ignoreIndex == nil, "crossEntropy: ignoreIndex applies only to class-index targets, "
                     + "but targets \(targets.shape) are probabilities with the logits' shape")
        return probabilityCrossEntropy(logProbabilities, targets, layout, weight: weight,
                                       labelSmoothing: labelSmoothing, reduction: reduction)
    }
    let picked = PickedClasses("crossEntropy", layout, targets, weight: weight, ignoreIndex: ignoreIndex)
    var perTarget = picked.negativeLogLikelihood(logProbabilities)
    if labelSmoothing > 0 {
        // Σ_c −w_c·log p_c, zero for ignored targets, normalized like the NLL term.
        let classWeights = weight.map { $0.reshape(layout.broadcastShape) }
        let uniform = -(classWeights.map { logProbabilities * $0 } ?? logProbabilities).sum(axis: layout.axis)
        let smooth = picked.keep.map { uniform * $0 } ?? uniform
        perTarget = perTarget * (1 - labelSmoothing) + smooth * (labelSmoothing / Float(layout.classes))
    }
    return picked.reduce(perTarget, reduction)
}

/// Negative log-likelihood of class indices under `logProbabilities` (usually `logSoftmax` outputs),
/// as `F.nll_loss`: −w_y·input_y per target; `.mean` divides by the sum of the targets' weights,
/// leaving out targets equal to `ignoreIndex`.
///
/// ```swift
/// let logProbabilities = Tensor([[-0.1, -2.5], [-1.2, -0.4]])
/// nllLoss(logProbabilities, Tensor([0, 1]))   // tensor(0.25)
/// ```
public func nllLoss(_ logProbabilities: Tensor, _ targets: Tensor, weight: Tensor? = nil, ignoreIndex: Int? = nil,
                    reduction: Reduction = .mean) -> Tensor {
    let layout = ClassLayout("nllLoss", logProbabilities, weight: weight)
    let picked = PickedClasses("nllLoss", layout, targets, weight: weight, ignoreIndex: ignoreIndex)
    return picked.reduce(picked.negativeLogLikelihood(logProbabilities), reduction)
}

/// Soft-target cross-entropy: −Σ_c w_c·t_c·log p_c per row, with t smoothed when asked.
private func probabilityCrossEntropy(_ logProbabilities: Tensor, _ targets: Tensor, _ layout: ClassLayout, weight: Tensor?,
                                     labelSmoothing: Float, reduction: Reduction) -> Tensor {
    var mixed = targets
    if labelSmoothing > 0 { mixed = targets * (1 - labelSmoothing) + labelSmoothing / Float(layout.classes) }
    var terms = logProbabilities * mixed
    if let weight { terms = terms * weight.reshape(layout.broadcastShape) }
    return reduction.apply(-terms.sum(axis: layout.axis))
}

/// Where the class axis of a class-score tensor is, and how many classes it has.
private struct ClassLayout {
    let axis: Int
    let classes: Int
    let inputShape: [Int]

    init(_ loss: String, _ input: Tensor, weight: Tensor?) {
        precondition(input.rank >= 1, "\(loss): input must have a class axis, got a 0-d tensor")
        axis = input.rank >= 2 ? 1 : 0
        classes = input.shape[axis]
        inputShape = input.shape
        if let weight { LossCheck.require(LossCheck.classWeightError(loss, weight: weight.shape, classes: classes)) }
    }

    /// The input's shape without the class axis: the shape of class-index targets.
    var targetShape: [Int] {
        var shape = inputShape
        shape.remove(at: axis)
        return shape
    }

    /// [1, C, 1, …] (or [C]), to broadcast class weights over the input.
    var broadcastShape: [Int] {
        var shape = [Int](repeating: 1, count: inputShape.count)
        shape[axis] = classes
        return shape
    }
}

/// Validated class-index targets: the gather index, and each target's weight (zero when ignored).
private struct PickedClasses {
    let layout: ClassLayout
    let targetShape: [Int]
    /// Target indices with the class axis kept at size 1; ignored targets point at class 0.
    let index: Tensor
    /// w_y per target, 0 where ignored; `nil` when every target counts with weight 1.
    let targetWeights: Tensor?
    /// 1 per kept target, 0 per ignored one; `nil` without `ignoreIndex`.
    let keep: Tensor?

    init(_ loss: String, _ layout: ClassLayout, _ targets: Tensor, weight: Tensor?, ignoreIndex: Int?) {
        let expected = layout.targetShape
        precondition(targets.shape == expected, "\(loss): input \(layout.inputShape) and targets \(targets.shape) do not match; "
                     + "expected class indices \(expected)" + (loss == "crossEntropy" ? " or probabilities \(layout.inputShape)" : ""))
        LossCheck.require(LossCheck.classIndexError(loss, targets: targets, classes: layout.classes, ignoreIndex: ignoreIndex))
        self.layout = layout
        targetShape = expected
        let values = targets.scalars
        let ignored = values.map { v in ignoreIndex.map { Float($0) == v } ?? false }
        let safe = zip(values, ignored).map { $1 ? 0 : $0 }
        var indexShape = expected
        indexShape.insert(1, at: layout.axis)
        index = Tensor(shape: indexShape, scalars: safe)
        keep = ignoreIndex == nil ? nil : Tensor(shape: expected, scalars: ignored.map { $0 ? 0 : 1 })
        if let weight {
            let gathered = weight.gather(axis: 0, index: Tensor(safe)).reshape(expected)
            targetWeights = keep.map { gathered * $0 } ?? gathered
        } else {
            targetWeights = keep
        }
    }

    /// −w_y·input_y per target (0 where ignored), with the targets' shape.
    func negativeLogLikelihood(_ logProbabilities: Tensor) -> Tensor {
        let chosen = logProbabilities.gather(axis: layout.axis, index: index).reshape(targetShape)
        return targetWeights.map { -(chosen * $0) } ?? -chosen
    }

    /// PyTorch's reductions: `.mean` is the weighted mean Σ loss / Σ w_y.
    func reduce(_ perTarget: Tensor, _ reduction: Reduction) -> Tensor {
        guard reduction == .mean, let targetWeights else { return reduction.apply(perTarget) }
        return perTarget.sum() / targetWeights.sum()
    }
}
