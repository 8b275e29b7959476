import Foundation
import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// Entropy, cross-entropy, KL divergence and one-hot encoding against hand-computed values.
@Suite struct LossInformationTheoryTests {
    func close(_ a: Float, _ b: Double, _ tol: Double = 1e-6) -> Bool { Swift.abs(Double(a) - b) <= tol * Swift.max(1, Swift.abs(b)) }

    @Test func entropyInEachBase() {
        #expect(close(entropy(Tensor([0.5, 0.5]), base: .two).item, 1), "a fair coin holds one bit")
        #expect(close(entropy(Tensor([0.5, 0.5])).item, 0.693_147_180_559_945_3), "ln 2 nats")
        #expect(close(entropy(Tensor([0.25, 0.25, 0.25, 0.25]), base: .two).item, 2), "a fair 4-sided die holds two bits")
        #expect(close(entropy(Tensor.full([10], value: 0.1), base: .ten).item, 1), "uniform over 10 holds one hartley")
        #expect(entropy(Tensor([1, 0, 0])).item == 0, "a certain outcome has zero entropy (0·log 0 = 0)")
    }

    @Test func entropyAlongAxes() {
        let rows = Tensor([[0.25, 0.75], [0.5, 0.5]])
        // −(0.25 ln 0.25 + 0.75 ln 0.75) = 0.562335
        let h = entropy(rows)
        #expect(h.shape == [2])
        #expect(close(h[0], 0.562_335_144_618_9) && close(h[1], 0.693_147_180_559_945_3), "\(h.scalars)")
        let columns = entropy(rows.T, axis: 0, base: .two)
        #expect(close(columns[0], 0.811_278_124_459_1) && close(columns[1], 1), "\(columns.scalars)")
    }

    @Test func crossEntropyAndDivergence() {
        let p = Tensor([0.5, 0.5]), q = Tensor([0.25, 0.75])
        // H(p, q) = −(0.5 log2 0.25 + 0.5 log2 0.75) = 1.207519 bits; KL = H(p, q) − H(p) = 0.207519
        #expect(close(crossEntropy(between: p, and: q, base: .two).item, 1.207_518_749_639_422))
        #expect(close(klDivergence(p, q, base: .two).item, 0.207_518_749_639_422))
        #expect(close(klDivergence(q, p).item, 0.130_812_035_941_137_2), "KL is not symmetric: KL(q ‖ p) in nats")
        #expect(close(klDivergence(p, p).item, 0), "KL(p ‖ p) = 0")
        #expect(close(crossEntropy(between: p, and: p).item, Double(entropy(p).item)), "H(p, p) = H(p)")
        #expect(klDivergence(Tensor([1, 0]), Tensor([0, 1])).item == .infinity, "q = 0 where p > 0 is infinitely surprising")
        #expect(close(klDivergence(Tensor([1, 0]), Tensor([0.5, 0.5]), base: .two).item, 1), "0·log(0/q) = 0")
    }

    @Test func entropyGradientIsMinusLogPMinusOne() {
        let p = Tensor([0.2, 0.3, 0.5], requiresGrad: true)
        let g = gradients(of: entropy(p), withRespectTo: [p])[0]
        let want = [0.2, 0.3, 0.5].map { -(Foundation.log($0) + 1) }
        #expect(allClose(g.scalars, want, rtol: 1e-5), "\(g.scalars) vs \(want)")
    }

    @Test func oneHotRows() {
        let rows = oneHot(Tensor([2, 0, 1]), classes: 3)
        #expect(rows.shape == [3, 3])
        #expect(rows.scalars == [0, 0, 1, 1, 0, 0, 0, 1, 0])
        let nested = oneHot(Tensor([[1, 0], [3, 3]]), classes: 4)
        #expect(nested.shape == [2, 2, 4])
        #expect(nested.scalars == [0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1])
        #expect(!rows.requiresGrad)
        #expect(LossCheck.classIndexError("oneHot", targets: Tensor([3]), classes: 3) == "oneHot: target 3 is out of range for 3 classes")
    }

    @Test func oneHotTargetsGiveTheSameCrossEntropyAsIndices() {
        let logits = Tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0], [-0.4, 1.1, 0.3]])
        let labels = Tensor([0, 2, 1])
        for reduction in Reduction.allCases {
            let fromIndices = crossEntropy(logits, labels, labelSmoothing: 0.1, reduction: reduction)
            let fromRows = crossEntropy(logits, oneHot(labels, classes: 3), labelSmoothing: 0.1, reduction: reduction)
            #expect(allClose(fromRows.scalars, fromIndices.scalars.map(Double.init), rtol: 1e-6), "\(reduction)")
        }
    }
}
