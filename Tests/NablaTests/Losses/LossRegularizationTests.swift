import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// L1/L2 penalties: values, the sign of their gradient, and which parameters they leave out.
@Suite struct LossRegularizationTests {
    final class Tiny: Module, @unchecked Sendable {
        let weight = Parameter(Tensor([1, -2, 3]))
        let bias = Parameter(Tensor([5]))
    }

    final class TinyNorm: Module, NormalizationLayer, @unchecked Sendable {
        let weight = Parameter(Tensor([4, 4]))
        let bias = Parameter(Tensor([-1, 1]))
    }

    final class Net: Module, @unchecked Sendable {
        let fc = Tiny()
        let norm = TinyNorm()
        let head = Parameter(Tensor([[0.5, -0.5]]))
    }

    @Test func penaltyValues() {
        let tiny = Tiny()
        #expect(Swift.abs(l1Penalty(tiny, lambda: 0.1).item - 0.6) < 1e-6, "λΣ|w| = 0.1·(1 + 2 + 3)")
        #expect(Swift.abs(l2Penalty(tiny, lambda: 0.1).item - 1.4) < 1e-6, "λΣw² = 0.1·(1 + 4 + 9)")
        #expect(Swift.abs(l1Penalty(tiny, lambda: 0.1, excludeBiasAndNorm: false).item - 1.1) < 1e-6)
        #expect(Swift.abs(l2Penalty(tiny, lambda: 0.1, excludeBiasAndNorm: false).item - 3.9) < 1e-6)
        #expect(l1Penalty(tiny, lambda: 0).item == 0)
    }

    @Test func penaltyIsAddedSoGradientDescentShrinksWeights() {
        let tiny = Tiny()
        let lambda: Float = 0.1
        let w = tiny.weight.value
        let l1 = gradients(of: l1Penalty(tiny, lambda: lambda), withRespectTo: [w])[0]
        #expect(l1.scalars == [0.1, -0.1, 0.1], "d/dw λΣ|w| = +λ·sign(w)")
        let l2 = gradients(of: l2Penalty(tiny, lambda: lambda), withRespectTo: [w])[0]
        #expect(allClose(l2.scalars, [0.2, -0.4, 0.6]), "d/dw λΣw² = +2λw")
        // One SGD step on the penalty alone moves every weight toward zero.
        let stepped = zip(w.scalars, l1.scalars).map { $0 - 0.5 * $1 }
        #expect(zip(stepped, w.scalars).allSatisfy { Swift.abs($0) < Swift.abs($1) }, "\(stepped)")
        // Added to a loss, the penalty raises it.
        let base = mseLoss(w, Tensor.zeros([3]))
        #expect((base + l2Penalty(tiny, lambda: lambda)).item > base.item)
    }

    @Test func biasAndNormalizationParametersAreExcluded() {
        let net = Net()
        #expect(penalizedParameters(net).map(\.0) == ["head", "fc.weight"])
        #expect(penalizedParameters(net, excludeBiasAndNorm: false).count == 5)
        // head: 0.25 + 0.25, fc.weight: 14 → 14.5; norm.weight (16 + 16) and the biases are left out.
        #expect(Swift.abs(l2Penalty(net, lambda: 1).item - 14.5) < 1e-5)
        #expect(Swift.abs(l1Penalty(net, lambda: 1, excludeBiasAndNorm: false).item - (1 + 6 + 5 + 8 + 2)) < 1e-5)
        let norm = net.norm.weight.value
        let g = gradients(of: l1Penalty(net, lambda: 1), withRespectTo: [norm])[0]
        #expect(g.scalars == [0, 0], "a normalization scale gets no penalty gradient")
    }

    @Test func emptyModuleHasZeroPenalty() {
        final class Empty: Module, @unchecked Sendable {}
        #expect(l1Penalty(Empty(), lambda: 1).item == 0)
        #expect(l2Penalty(Empty(), lambda: 1).item == 0)
    }
}
