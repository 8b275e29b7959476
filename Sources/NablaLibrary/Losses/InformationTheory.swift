import NablaCore
import NablaBackend

// Information-theory quantities of discrete probability distributions, with 0·log 0 = 0, and one-hot encoding.

/// The base of the logarithm, which sets the unit: nats (e), bits (2) or hartleys (10).
public enum LogBase: Sendable, Equatable, CaseIterable {
    case e, two, ten

    /// ln(base), the divisor that converts nats to this unit.
    public var naturalLogarithm: Double {
        switch self {
        case .e: return 1
        case .two: return 0.693_147_180_559_945_3
        case .ten: return 2.302_585_092_994_046
        }
    }

    /// `nats` expressed in this base.
    func convert(_ nats: Tensor) -> Tensor {
        self == .e ? nats : nats / Tensor(Float(naturalLogarithm))
    }
}

/// Shannon entropy H(p) = −Σ p·log p of the distributions along `axis`, with 0·log 0 = 0.
///
/// ```swift
/// entropy(Tensor([0.5, 0.5]), base: .two)     // tensor(1): a fair coin holds one bit
/// entropy(Tensor([[1, 0], [0.25, 0.75]]))     // per row, in nats: [0, 0.5623]
/// ```
public func entropy(_ p: Tensor, axis: Int = -1, base: LogBase = .e) -> Tensor {
    base.convert(-xlogy(p, p).sum(axis: axis))
}

/// Cross-entropy H(p, q) = −Σ p·log q between distributions `p` and `q` along `axis`, with 0·log q = 0.
/// It is infinite where q = 0 and p > 0.
///
/// ```swift
/// crossEntropy(between: Tensor([0.5, 0.5]), and: Tensor([0.25, 0.75]), base: .two)   // tensor(1.2075)
/// ```
public func crossEntropy(between p: Tensor, and q: Tensor, axis: Int = -1, base: LogBase = .e) -> Tensor {
    LossCheck.require(LossCheck.shapeError("crossEntropy(between:and:)", input: p.shape, target: q.shape, names: ("p", "q")))
    return base.convert(-xlogy(p, q).sum(axis: axis))
}

/// Kullback–Leibler divergence KL(p ‖ q) = Σ p·log(p / q) along `axis`, with 0·log(0 / q) = 0.
/// It is non-negative, zero only when p = q, and infinite where q = 0 and p > 0.
///
/// ```swift
/// klDivergence(Tensor([0.5, 0.5]), Tensor([0.25, 0.75]), base: .two)   // tensor(0.2075) bits
/// ```
public func klDivergence(_ p: Tensor, _ q: Tensor, axis: Int = -1, base: LogBase = .e) -> Tensor {
    LossCheck.require(LossCheck.shapeError("klDivergence", input: p.shape, target: q.shape, names: ("p", "q")))
    return base.convert(xlogy(p, p / q).sum(axis: axis))
}

/// One-hot rows for integral class `labels`: a tensor of the labels' shape plus a last axis of size
/// `classes`, as `F.one_hot`. It carries no gradient.
///
/// ```swift
/// oneHot(Tensor([2, 0]), classes: 3)   // [[0, 0, 1], [1, 0, 0]]
/// ```
public func oneHot(_ labels: Tensor, classes: Int) -> Tensor {
    precondition(classes > 0, "oneHot: classes \(classes) must be positive")
    LossCheck.require(LossCheck.classIndexError("oneHot", targets: labels, classes: classes))
    var values = [Float](repeating: 0, count: labels.count * classes)
    labels.withUnsafeBufferPointer { buffer in
        for (row, label) in buffer.enumerated() { values[row * classes + Int(label)] = 1 }
    }
    return Tensor(shape: labels.shape + [classes], scalars: values)
}
