import Testing
@testable import NablaCore
@testable import NablaLibrary

/// The per-layer gradient norms the trainer records every step, against sums of squares taken in Double.
@Suite struct GradientFlowNormTests {
    @Test("norms match a Double sum of squares at every tail length", arguments: [1, 2, 15, 16, 17, 31, 33, 1000, 65_537])
    func matchesDouble(_ count: Int) {
        var g = Generator(seed: UInt64(count))
        let values = (0..<count).map { _ in Float(g.nextInt(below: 2001)) / 100 - 10 }
        let parameter = Parameter(Tensor.zeros([count]))
        parameter.grad = Tensor(values)
        let expected = values.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        let norm = GradientFlow.norm([parameter])
        #expect(abs(norm - expected) <= 1e-6 * expected, "\(count) values: \(norm) against \(expected)")
    }

    @Test func layersWithoutGradientsCountZeroAndNonFiniteValuesShow() {
        let empty = Parameter(Tensor.zeros([3]))
        let withNaN = Parameter(Tensor.zeros([20]))
        withNaN.grad = Tensor((0..<20).map { $0 == 18 ? Float.nan : 1 })
        let withInfinity = Parameter(Tensor.zeros([20]))
        withInfinity.grad = Tensor((0..<20).map { $0 == 3 ? Float.infinity : 1 })
        #expect(GradientFlow.norm([empty]) == 0)
        #expect(GradientFlow.norm([empty, withNaN]).isNaN)
        #expect(GradientFlow.norm([withInfinity]) == .infinity)
    }
}
