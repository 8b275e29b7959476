import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// clipGradNorm / clipGradValue against torch.nn.utils (Tests/Fixtures/optim.json) and edge cases.
@Suite struct GradientClippingTests {
    static let cases = OptimFixtures.cases(["clip_grad_norm", "clip_grad_value"])

    /// Parameters of the fixture shapes whose gradients are the case's inputs.
    static func parameters(_ c: OptimCase) -> [Parameter] {
        c.inputs.map { input in
            let parameter = Parameter(Tensor.zeros(input.shape))
            parameter.grad = input.tensor
            return parameter
        }
    }

    @Test(arguments: cases)
    func matchesPyTorch(_ c: OptimCase) throws {
        let parameters = Self.parameters(c)
        if c.op == "clip_grad_norm" {
            let normType = c.args["norm_type"].flatMap(\.double) ?? .infinity  // "inf" is stored as a string
            let total = clipGradNorm(parameters, maxNorm: c.double("max_norm"), normType: normType)
            let want = try #require(c.totalNorm)
            #expect(Swift.abs(Double(total) - want) <= 1e-6 * Swift.max(1, want), "\(c.name): norm \(total) vs \(want)")
        } else {
            clipGradValue(parameters, clipValue: c.double("clip_value"))
        }
        let got = parameters.flatMap { $0.grad!.scalars }
        #expect(allClose(got, c.output.data, rtol: 1e-6, atol: 1e-7), "\(c.name): max rel error \(maxError(got, c.output.data))")
    }

    @Test func coversNormTypesAndInactiveCases() {
        let names = Set(Self.cases.map(\.name))
        #expect(names.isSuperset(of: ["clip_norm2_active", "clip_norm2_inactive", "clip_norminf_active", "clip_value"]))
    }

    @Test func clippedNormEqualsMaxNorm() {
        let a = Parameter(Tensor.zeros([2])), b = Parameter(Tensor.zeros([1]))
        a.grad = Tensor([3, 4])
        b.grad = Tensor([12])
        let total = clipGradNorm([a, b], maxNorm: 1.3)
        #expect(total == 13)
        let coefficient = Float(1.3) / (Float(13) + Float(1e-6))
        #expect(a.grad!.scalars == [3 * coefficient, 4 * coefficient])
        #expect(b.grad!.scalars == [12 * coefficient])
    }

    @Test func infinityNormIsLargestMagnitude() {
        let a = Parameter(Tensor.zeros([3]))
        a.grad = Tensor([0.5, -2, 1])
        #expect(clipGradNorm([a], maxNorm: 10, normType: .infinity) == 2)
        #expect(a.grad!.scalars == [0.5, -2, 1])  // below maxNorm: coefficient clamped to 1
    }

    @Test func parametersWithoutGradientsAreSkipped() {
        let a = Parameter(Tensor.zeros([2])), none = Parameter(Tensor.zeros([2]))
        a.grad = Tensor([6, 8])
        #expect(clipGradNorm([a, none], maxNorm: 5) == 10)
        #expect(none.grad == nil)
        clipGradValue([a, none], clipValue: 1)
        #expect(none.grad == nil)
        #expect(clipGradNorm([none], maxNorm: 1) == 0)
    }

    @Test func sharedGradientIsScaledOnce() {
        // One gradient tensor reaching two parameters must not be scaled twice.
        let a = Parameter(Tensor.zeros([1])), b = Parameter(Tensor.zeros([1]))
        let shared = Tensor([2])
        a.grad = shared
        b.grad = shared
        let total = clipGradNorm([a, b], maxNorm: 1)
        let coefficient = Float(1) / (total + Float(1e-6))
        #expect(a.grad!.scalars == [2 * coefficient])
        #expect(b.grad!.scalars == [2 * coefficient])
        #expect(shared.scalars == [2])
    }

    @Test func clipValueClampsBothSides() {
        let a = Parameter(Tensor.zeros([4]))
        a.grad = Tensor([-3, -0.25, 0.25, 3])
        clipGradValue([a], clipValue: 0.5)
        #expect(a.grad!.scalars == [-0.5, -0.25, 0.25, 0.5])
    }
}
