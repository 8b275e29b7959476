import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// Autograd through every loss against Float32 central finite differences (gradcheck's defaults).
/// Inputs keep clear of kinks (|d| = 0, β, δ, margins) by more than gradcheck's step.
@Suite struct LossGradcheckTests {
    static func uniform(_ shape: [Int], _ low: Float, _ high: Float, seed: UInt64, grad: Bool = true) -> Tensor {
        var generator = Generator(seed: seed)
        return Tensor.uniform(shape, low: low, high: high, generator: &generator, requiresGrad: grad)
    }

    /// Random signs times magnitudes in [low, high]: |x| ≥ low.
    static func awayFromZero(_ shape: [Int], _ low: Float, _ high: Float, seed: UInt64) -> Tensor {
        let magnitude = uniform(shape, low, high, seed: seed, grad: false).scalars
        let sign = uniform(shape, -1, 1, seed: seed + 1, grad: false).scalars
        return Tensor(shape: shape, scalars: zip(magnitude, sign).map { $1 < 0 ? -$0 : $0 })
    }

    static func check(_ name: String, _ inputs: [Tensor], _ f: @escaping ([Tensor]) -> Tensor) {
        let result = gradcheck(f, inputs: inputs)
        #expect(result.passed, "\(name): \(result)")
    }

    @Test func regression() {
        let x = Self.uniform([3, 4], -2, 2, seed: 1)
        let offset = Self.awayFromZero([3, 4], 0.1, 1.5, seed: 2)
        let y = (x.detached() + offset).requiringGrad()
        for reduction in Reduction.allCases {
            Self.check("mseLoss \(reduction)", [x, y]) { mseLoss($0[0], $0[1], reduction: reduction) }
            Self.check("l1Loss \(reduction)", [x, y]) { l1Loss($0[0], $0[1], reduction: reduction) }
            Self.check("rmseLoss \(reduction)", [x, y]) { rmseLoss($0[0], $0[1], reduction: reduction) }
        }
        // The smooth-L1 and Huber kinks at |d| = 0.7 and 0.8 must be farther than the finite-difference step.
        let d = offset.abs().scalars
        let safeBeta = [Float(0.7), 0.8].allSatisfy { k in d.allSatisfy { Swift.abs($0 - k) > 0.03 } }
        #expect(safeBeta, "offsets sit too close to a kink: \(d)")
        Self.check("smoothL1Loss", [x, y]) { smoothL1Loss($0[0], $0[1], beta: 0.7, reduction: .none) }
        Self.check("smoothL1Loss beta 0", [x, y]) { smoothL1Loss($0[0], $0[1], beta: 0) }
        Self.check("huberLoss", [x, y]) { huberLoss($0[0], $0[1], delta: 0.8, reduction: .sum) }
    }

    @Test func logAndPercentageErrors() {
        let x = Self.uniform([2, 5], -0.5, 3, seed: 3), y = Self.uniform([2, 5], 0, 3, seed: 4)
        Self.check("msleLoss", [x, y]) { msleLoss($0[0], $0[1]) }
        let target = Self.awayFromZero([2, 5], 0.5, 3, seed: 5).requiringGrad()
        let prediction = (target.detached() + Self.awayFromZero([2, 5], 0.1, 1, seed: 6)).requiringGrad()
        Self.check("mapeLoss", [prediction, target]) { mapeLoss($0[0], $0[1], reduction: .none) }
    }

    @Test func binaryCrossEntropyFamily() {
        // Targets stay inside [0, 1] when finite differences nudge them.
        let p = Self.uniform([4, 3], 0.1, 0.9, seed: 6), t = Self.uniform([4, 3], 0.05, 0.95, seed: 7)
        let w = Self.uniform([4, 1], 0.5, 2, seed: 8, grad: false), pw = Self.uniform([3], 0.5, 3, seed: 9, grad: false)
        Self.check("binaryCrossEntropy", [p, t]) { binaryCrossEntropy($0[0], $0[1], weight: w, posWeight: pw) }
        let logits = Tensor(shape: [4, 3], scalars: [-100, -30, -5, -1, -0.3, 0.2, 0.9, 3, 8, 30, 100, 1.7], requiresGrad: true)
        Self.check("binaryCrossEntropyWithLogits", [logits, t]) {
            binaryCrossEntropyWithLogits($0[0], $0[1], weight: w, posWeight: pw, reduction: .none)
        }
        Self.check("binaryCrossEntropyWithLogits plain", [logits, t]) { binaryCrossEntropyWithLogits($0[0], $0[1]) }
    }

    @Test func crossEntropyAndNLL() {
        let logits = Self.uniform([5, 4], -3, 3, seed: 10)
        let indices = Tensor([0, 3, 1, 2, 1])
        let weight = Tensor([0.5, 1, 2, 1.5])
        Self.check("crossEntropy indices", [logits]) {
            crossEntropy($0[0], indices, weight: weight, labelSmoothing: 0.2, ignoreIndex: 2)
        }
        let spatial = Self.uniform([2, 3, 2, 2], -2, 2, seed: 11)
        let spatialTargets = Tensor(shape: [2, 2, 2], scalars: [0, 1, 2, 2, 1, 0, 0, 2])
        Self.check("crossEntropy spatial", [spatial]) { crossEntropy($0[0], spatialTargets, reduction: .none) }
        let soft = Self.uniform([5, 4], -1, 1, seed: 12, grad: false).softmax(axis: 1).requiringGrad()
        Self.check("crossEntropy probabilities", [logits, soft]) {
            crossEntropy($0[0], $0[1], weight: weight, labelSmoothing: 0.1, reduction: .sum)
        }
        Self.check("nllLoss", [logits]) { nllLoss($0[0], indices, weight: weight) }
    }

    @Test func klDivergenceLoss() {
        let input = Self.uniform([3, 4], -1, 1, seed: 13, grad: false).logSoftmax(axis: 1).requiringGrad()
        let target = Self.uniform([3, 4], -1, 1, seed: 14, grad: false).softmax(axis: 1).requiringGrad()
        Self.check("klDivLoss", [input, target]) { klDivLoss($0[0], $0[1], reduction: .batchMean) }
        let logTarget = target.detached().log().requiringGrad()
        Self.check("klDivLoss logTarget", [input, logTarget]) { klDivLoss($0[0], $0[1], reduction: .none, logTarget: true) }
    }

    @Test func marginLosses() {
        let scores = Tensor([-2.1, -1.4, -0.6, -0.2, 0.3, 0.75, 1.3, 2.5], requiresGrad: true)
        let labels = Tensor([1, -1, 1, -1, 1, -1, -1, 1])
        Self.check("hingeLoss", [scores]) { hingeLoss($0[0], labels) }
        Self.check("squaredHingeLoss", [scores]) { squaredHingeLoss($0[0], labels, reduction: .none) }
        Self.check("exponentialLoss", [scores]) { exponentialLoss($0[0], labels, reduction: .sum) }

        let logits = Tensor([[0.1, 0.3, 0.9, -0.7], [1.2, -0.3, 0.4, 0.05], [-0.8, 0.6, 1.5, 0.2]], requiresGrad: true)
        let targets = Tensor([2, 0, 1])
        for margin: Float in [1, 0.5] {
            for (row, y) in [2, 0, 1].enumerated() {
                for i in 0..<4 where i != y {
                    #expect(Swift.abs(margin - logits[row, y] + logits[row, i]) > 0.05, "row \(row) sits on a margin kink")
                }
            }
        }
        let weight = Tensor([1, 2, 0.5, 1])
        for p in [1, 2] {
            Self.check("multiMarginLoss p\(p)", [logits]) { multiMarginLoss($0[0], targets, p: p, weight: weight) }
            Self.check("multiMarginLoss p\(p) margin", [logits]) {
                multiMarginLoss($0[0], targets, p: p, margin: 0.5, reduction: .none)
            }
        }
    }

    @Test func informationTheory() {
        let p = Self.uniform([3, 4], -1, 1, seed: 15, grad: false).softmax(axis: 1).requiringGrad()
        let q = Self.uniform([3, 4], -1, 1, seed: 16, grad: false).softmax(axis: 1).requiringGrad()
        Self.check("entropy", [p]) { entropy($0[0], base: .two) }
        Self.check("crossEntropy(between:and:)", [p, q]) { crossEntropy(between: $0[0], and: $0[1], axis: 0) }
        Self.check("klDivergence", [p, q]) { klDivergence($0[0], $0[1], base: .ten) }
    }
}
