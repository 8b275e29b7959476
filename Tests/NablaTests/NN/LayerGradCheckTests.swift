import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// gradcheck over every layer, with respect to its input and each of its parameters.
@Suite struct LayerGradCheckTests {
    static func layers() -> [(String, Module, [Int])] {
        Random.seed(21)
        return [
            ("Linear", Linear(4, 3), [2, 4]),
            ("Linear 3-D input", Linear(3, 2), [2, 2, 3]),
            ("Conv2d same", Conv2d(2, 3, kernelSize: 3, padding: .same), [2, 2, 5, 5]),
            ("Conv2d stride 2", Conv2d(2, 2, kernelSize: 3, stride: 2, padding: 1), [1, 2, 5, 5]),
            ("AvgPool2d", AvgPool2d(2), [1, 2, 4, 4]),
            ("AdaptiveAvgPool2d", AdaptiveAvgPool2d((2, 3)), [1, 2, 5, 7]),
            ("GlobalAvgPool2d", GlobalAvgPool2d(), [2, 2, 3, 3]),
            ("Flatten", Flatten(), [2, 2, 3]),
            ("BatchNorm1d train", BatchNorm1d(3), [5, 3]),
            ("BatchNorm2d train", BatchNorm2d(2), [3, 2, 3, 3]),
            ("LayerNorm", LayerNorm([4]), [3, 4]),
            ("Residual", Residual(Sequential { Linear(3, 3); Tanh() }), [2, 3]),
            ("Residual projection", Residual(Linear(3, 2), projection: Linear(3, 2, bias: false)), [2, 3]),
            ("Sequential", Sequential { Linear(3, 4); GELU(); Linear(4, 2); SiLU() }, [2, 3]),
            ("SELU, Mish, Hardswish", Sequential { Linear(3, 4); SELU(); Linear(4, 4); Mish(); Linear(4, 2); Hardswish() }, [2, 3]),
            ("activations", Sequential { Sigmoid(); ELU(alpha: 0.5); LeakyReLU(negativeSlope: 0.1); Softmax(temperature: 2); LogSoftmax() }, [2, 3]),
        ]
    }

    @Test func everyLayerAgreesWithFiniteDifferences() {
        for (name, layer, shape) in Self.layers() {
            var g = Generator(seed: 3)
            let result = gradcheck(layer, input: Tensor.normal(shape, generator: &g))
            #expect(result.passed, "\(name): \(result)")
        }
    }

    @Test func batchNormEvalAfterTrainingAgreesToo() {
        let bn = BatchNorm2d(2)
        var g = Generator(seed: 4)
        for _ in 0..<3 { _ = bn(Tensor.normal([4, 2, 3, 3], mean: 1, std: 2, generator: &g)) }
        bn.eval()
        #expect(gradcheck(bn, input: Tensor.normal([2, 2, 3, 3], generator: &g)).passed)
    }

    @Test func embeddingWeightGradient() {
        let e = Embedding(5, 3)
        let out = e(Tensor([[1, 1, 4]]))
        out.sum().backward()
        let grad = e.weight.grad!.scalars
        #expect(Array(grad[3..<6]) == [2, 2, 2])     // row 1 used twice
        #expect(Array(grad[12..<15]) == [1, 1, 1])   // row 4 once
        #expect(Array(grad[0..<3]) == [0, 0, 0])
    }
}
