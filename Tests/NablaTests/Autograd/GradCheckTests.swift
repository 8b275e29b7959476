import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// One differentiable op under test: inputs and the function of them.
struct GradCase: Sendable, CustomStringConvertible {
    let description: String
    let inputs: [Tensor]
    let f: @Sendable ([Tensor]) -> Tensor
    var eps: Float = 1e-2

    init(_ name: String, _ inputs: [Tensor], eps: Float = 1e-2, _ f: @escaping @Sendable ([Tensor]) -> Tensor) {
        description = name
        self.inputs = inputs
        self.eps = eps
        self.f = f
    }
}

/// Seeded inputs for gradient checks.
enum GradInputs {
    static func normal(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
        var g = Generator(seed: seed)
        return (Tensor.normal(shape, generator: &g) * scale).requiringGrad()
    }

    static func positive(_ shape: [Int], seed: UInt64) -> Tensor {
        var g = Generator(seed: seed)
        return Tensor.uniform(shape, low: 0.5, high: 2, generator: &g).requiringGrad()
    }

    /// Values kept at least 0.1 away from zero, where kinked functions are smooth.
    static func awayFromZero(_ shape: [Int], seed: UInt64) -> Tensor {
        var g = Generator(seed: seed)
        let raw = Tensor.normal(shape, generator: &g)
        return Tensor(shape: shape, scalars: raw.scalars.map { $0 >= 0 ? $0 + 0.1 : $0 - 0.1 }).requiringGrad()
    }

    /// Distinct values 0.05 apart, shuffled, so a ±0.01 nudge never changes which element is the maximum.
    static func distinct(_ shape: [Int], seed: UInt64) -> Tensor {
        var g = Generator(seed: seed)
        let order = g.permutation(Shape.count(shape))
        return Tensor(shape: shape, scalars: order.map { Float($0) * 0.05 - 1 }, requiresGrad: true)
    }

    static let edges = Tensor([0, -0.5, 0.5, -3, 3, 8, -8, 0.001], requiresGrad: true)
    static let kinkedEdges = Tensor([-0.5, 0.5, -3, 3, 8, -8, 0.05, -0.05], requiresGrad: true)
}

@Suite struct GradCheckTests {
    /// Every elementwise function, on the gradcheck inputs that ops.json carries for it (its domain,
    /// edge values, 0.1 away from its kinks), so a new function needs no edit here.
    static let unary: [GradCase] = OpGoldenTests.cases.filter(\.gradcheck).map { c in
        let f = UnaryFunctions.make(c.op, arguments: c.floatArguments)!
        return GradCase(c.name, c.inputs.map(\.tensor)) { $0[0].unary(f) }
    }

    @Test func everyElementwiseFunctionIsGradchecked() {
        let checked = Set(OpGoldenTests.cases.filter(\.gradcheck).map(\.op))
        let all = Set(UnaryFunctions.all.map { $0.name })
        #expect(checked == all, "elementwise functions without gradcheck rows in ops.json: \(all.subtracting(checked).sorted())")
    }

    static let binary: [GradCase] = {
        let n = GradInputs.normal, p = GradInputs.positive
        let shapes: [([Int], [Int])] = [([3, 4], [3, 4]), ([2, 3], [3]), ([2, 1, 4], [3, 1]), ([4], [1]), ([2, 3, 4], [1, 3, 1])]
        var cases: [GradCase] = []
        for (i, (a, b)) in shapes.enumerated() {
            let s = UInt64(10 + i * 2)
            cases.append(GradCase("add \(a)+\(b)", [n(a, s, 1), n(b, s + 1, 1)]) { $0[0] + $0[1] })
            cases.append(GradCase("sub \(a)-\(b)", [n(a, s, 1), n(b, s + 1, 1)]) { $0[0] - $0[1] })
            cases.append(GradCase("mul \(a)*\(b)", [n(a, s, 1), n(b, s + 1, 1)]) { $0[0] * $0[1] })
            cases.append(GradCase("div \(a)/\(b)", [n(a, s, 1), p(b, s + 1)]) { $0[0] / $0[1] })
            cases.append(GradCase("pow \(a)^\(b)", [p(a, s), n(b, s + 1, 1)]) { $0[0].pow($0[1]) })
            cases.append(GradCase("maximum \(a) \(b)", [n(a, s, 1), n(b, s + 1, 1)]) { $0[0].maximum($0[1]) })
            cases.append(GradCase("minimum \(a) \(b)", [n(a, s, 1), n(b, s + 1, 1)]) { $0[0].minimum($0[1]) })
            cases.append(GradCase("where \(a) \(b)", [n(a, s, 1), n(b, s + 1, 1)]) { x in
                Tensor.where(x[0] .> 0, x[0], x[1])
            })
        }
        cases.append(GradCase("mul large magnitudes", [n([4], 30, 100), n([4], 31, 0.01)]) { $0[0] * $0[1] })
        return cases
    }()

    static let reductions: [GradCase] = {
        let n = GradInputs.normal
        let x = n([2, 3, 4], 40, 1)
        let separated = GradInputs.distinct([2, 3, 4], seed: 43)
        return [
            GradCase("sum all", [x]) { $0[0].sum() },
            GradCase("sum axes [0,2]", [x]) { $0[0].sum(axes: [0, 2]) },
            GradCase("sum axis -1 keep", [x]) { $0[0].sum(axis: -1, keepDims: true) },
            GradCase("mean axis 1", [x]) { $0[0].mean(axis: 1) },
            GradCase("max axis 2", [separated]) { $0[0].max(axis: 2) },
            GradCase("max all", [separated]) { $0[0].max() },
            GradCase("min axes [0,1]", [separated]) { $0[0].min(axes: [0, 1]) },
            GradCase("variance unbiased", [x]) { $0[0].variance(axis: 1) },
            GradCase("variance biased all", [x]) { $0[0].variance(unbiased: false) },
            GradCase("logsumexp axis -1", [x]) { $0[0].logsumexp(axis: -1) },
            GradCase("logsumexp large", [n([2, 3], 41, 50)], eps: 1e-1) { $0[0].logsumexp(axis: 1) },
            GradCase("softmax axis 1", [x]) { $0[0].softmax(axis: 1) },
            GradCase("softmax temperature", [x]) { $0[0].softmax(axis: -1, temperature: 0.5) },
            GradCase("logSoftmax axis -1", [x]) { $0[0].logSoftmax(axis: -1) },
            GradCase("logSoftmax axis 0 large", [n([3, 2], 42, 40)], eps: 1e-1) { $0[0].logSoftmax(axis: 0) },
        ]
    }()

    static let linalgAndMovement: [GradCase] = {
        let n = GradInputs.normal
        return [
            GradCase("matmul 2-D", [n([3, 4], 50, 1), n([4, 5], 51, 1)]) { $0[0].matmul($0[1]) },
            GradCase("matmul batched", [n([2, 3, 4], 52, 1), n([2, 4, 2], 53, 1)]) { $0[0].matmul($0[1]) },
            GradCase("matmul broadcast batch", [n([2, 1, 3, 4], 54, 1), n([3, 4, 2], 55, 1)]) { $0[0].matmul($0[1]) },
            GradCase("matmul transA", [n([4, 3], 56, 1), n([4, 5], 57, 1)]) { $0[0].matmul($0[1], transA: true) },
            GradCase("matmul transB", [n([3, 4], 58, 1), n([5, 4], 59, 1)]) { $0[0].matmul($0[1], transB: true) },
            GradCase("matmul both", [n([4, 3], 60, 1), n([5, 4], 61, 1)]) { $0[0].matmul($0[1], transA: true, transB: true) },
            GradCase("matmul 3-D × 2-D", [n([2, 3, 4], 62, 1), n([4, 2], 63, 1)]) { $0[0].matmul($0[1]) },
            GradCase("reshape", [n([2, 6], 64, 1)]) { $0[0].reshape([3, -1]) * $0[0].reshape([3, 4]) },
            GradCase("permute", [n([2, 3, 4], 65, 1)]) { $0[0].permute([2, 0, 1]) },
            GradCase("transpose", [n([2, 3, 4], 66, 1)]) { $0[0].transpose(0, 2) },
            GradCase("expand", [n([3, 1], 67, 1)]) { $0[0].expand(to: [2, 3, 4]) },
            GradCase("squeeze/unsqueeze", [n([3, 1, 2], 68, 1)]) { $0[0].squeeze(axis: 1).unsqueeze(axis: 0) },
            GradCase("flatten", [n([2, 3, 4], 69, 1)]) { $0[0].flatten(startDim: 1) },
            GradCase("narrow", [n([4, 5], 70, 1)]) { $0[0].narrow(axis: 1, start: 1, length: 3) },
            GradCase("pad", [n([2, 3], 71, 1)]) { $0[0].pad([(1, 0), (2, 1)], value: 0.5) },
            GradCase("cat", [n([2, 3], 72, 1), n([2, 2], 73, 1)]) { Tensor.cat([$0[0], $0[1]], axis: 1) },
            GradCase("stack", [n([2, 3], 74, 1), n([2, 3], 75, 1)]) { Tensor.stack([$0[0], $0[1]], axis: 1) },
            GradCase("indexSelect repeats", [n([4, 3], 76, 1)]) { $0[0].indexSelect(axis: 0, index: Tensor([3, 0, 3, 1])) },
            GradCase("gather", [n([3, 4], 77, 1)]) { $0[0].gather(axis: 1, index: Tensor([[0, 3], [2, 2], [1, 0]])) },
        ]
    }()

    static let spatial: [GradCase] = {
        let n = GradInputs.normal
        let x = n([2, 3, 6, 6], 80, 1)
        let separated = GradInputs.distinct([2, 3, 6, 6], seed: 86)
        return [
            GradCase("conv2d 3x3 pad 1", [x, n([4, 3, 3, 3], 81, 0.5), n([4], 82, 1)]) {
                Functional.conv2d($0[0], weight: $0[1], bias: $0[2], padding: (1, 1))
            },
            GradCase("conv2d stride 2 dilation 2", [x, n([2, 3, 2, 2], 83, 0.5)]) {
                Functional.conv2d($0[0], weight: $0[1], stride: (2, 2), dilation: (2, 2))
            },
            GradCase("conv2d 2x3 kernel pad (1,0)", [x, n([2, 3, 2, 3], 84, 0.5), n([2], 85, 1)]) {
                Functional.conv2d($0[0], weight: $0[1], bias: $0[2], stride: (1, 2), padding: (1, 0))
            },
            GradCase("maxPool2d 2x2", [separated]) { Functional.maxPool2d($0[0], kernelSize: (2, 2)) },
            GradCase("maxPool2d 3x3 stride 2 pad 1", [separated]) { Functional.maxPool2d($0[0], kernelSize: (3, 3), stride: (2, 2), padding: (1, 1)) },
            GradCase("avgPool2d 2x2", [x]) { Functional.avgPool2d($0[0], kernelSize: (2, 2)) },
            GradCase("avgPool2d 3x3 pad 1", [x]) { Functional.avgPool2d($0[0], kernelSize: (3, 3), stride: (2, 2), padding: (1, 1)) },
            GradCase("batchNorm [N, C, H, W]", [x, n([3], 87, 1), n([3], 88, 1)]) {
                Functional.batchNorm($0[0], weight: $0[1], bias: $0[2]).output
            },
            GradCase("batchNorm [N, C, L]", [n([4, 3, 5], 89, 2), n([3], 90, 1), n([3], 91, 1)]) {
                Functional.batchNorm($0[0], weight: $0[1], bias: $0[2], eps: 1e-3).output
            },
            GradCase("batchNorm [N, C] without affine", [n([6, 4], 92, 3)]) { Functional.batchNorm($0[0]).output },
            GradCase("layerNorm [B, T, D]", [n([2, 3, 5], 93, 2), n([5], 94, 1), n([5], 95, 1)]) {
                Functional.layerNorm($0[0], normalizedShape: [5], weight: $0[1], bias: $0[2])
            },
            GradCase("layerNorm over two axes, eps 1e-3", [n([3, 2, 4], 96, 2), n([2, 4], 97, 1)]) {
                Functional.layerNorm($0[0], normalizedShape: [2, 4], weight: $0[1], eps: 1e-3)
            },
            GradCase("layerNorm without affine", [n([4, 17], 98, 3)]) { Functional.layerNorm($0[0], normalizedShape: [17]) },
            GradCase("avgPool2d exclude pad", [x]) {
                Functional.avgPool2d($0[0], kernelSize: (3, 3), stride: (1, 1), padding: (1, 1), countIncludePad: false)
            },
        ]
    }()

    /// The fused LSTM layer: x [T, N, I] (or [N, T, I]), W_ih [4H, I], W_hh [4H, H], bias [4H], h0 and c0 [N, H].
    /// The probe weights every output row, the final cell state's included; weights are scaled up from
    /// ±1/√H so the gates leave their linear range.
    static let recurrent: [GradCase] = {
        let n = GradInputs.normal
        let (weightIH, weightHH, bias) = (n([12, 2], 91, 0.8), n([12, 3], 92, 0.8), n([12], 93, 0.5))
        let (h0, c0) = (n([2, 3], 94, 0.5), n([2, 3], 95, 0.5))
        return [
            GradCase("lstm x, h0, c0, W_ih, W_hh, bias", [n([3, 2, 2], 90, 1), h0, c0, weightIH, weightHH, bias]) {
                Functional.lstm($0[0], h0: $0[1], c0: $0[2], weightIH: $0[3], weightHH: $0[4], bias: $0[5], batchFirst: false)
            },
            GradCase("lstm batch-first, zero state, no bias", [n([2, 4, 2], 96, 1), weightIH, weightHH]) {
                Functional.lstm($0[0], h0: nil, c0: nil, weightIH: $0[1], weightHH: $0[2], bias: nil, batchFirst: true)
            },
            GradCase("lstm final cell state alone", [n([2, 3, 2], 97, 1), h0, c0, weightIH, weightHH, bias]) {
                Functional.lstm($0[0], h0: $0[1], c0: $0[2], weightIH: $0[3], weightHH: $0[4], bias: $0[5], batchFirst: true)
                    .narrow(axis: 1, start: 3, length: 1)
            },
        ]
    }()

    @Test(arguments: unary + binary + reductions + linalgAndMovement + spatial + recurrent)
    func agreesWithFiniteDifferences(_ c: GradCase) {
        let result = gradcheck(c.f, inputs: c.inputs, eps: c.eps)
        #expect(result.passed, "\(c): \(result)")
    }

    @Test("batchNorm's statistics are the batch mean and biased variance per channel")
    func batchNormStatistics() {
        let x = GradInputs.normal([4, 3, 5, 2], seed: 93, scale: 2) + 1
        let (y, mean, variance) = Functional.batchNorm(x, eps: 0)
        let axes = [0, 2, 3]
        let expectedMean = x.mean(axes: axes, keepDims: true)
        let expectedVariance = (x - expectedMean).squared().mean(axes: axes, keepDims: true)
        #expect(maxAbsDifference(mean, expectedMean.reshape([3])) < 1e-6)
        #expect(maxAbsDifference(variance, expectedVariance.reshape([3])) < 1e-5)
        #expect(maxAbsDifference(y, (x - expectedMean) / expectedVariance.sqrt()) < 1e-5)
    }

    private func maxAbsDifference(_ a: Tensor, _ b: Tensor) -> Float {
        zip(a.scalars, b.scalars).map { Swift.abs($0 - $1) }.max() ?? 0
    }

    @Test func gradcheckCatchesAWrongGradient() {
        // A function whose recorded graph differs from its value: f(x) = x² computed, but the graph says 3x.
        let wrong: ([Tensor]) -> Tensor = { x in
            let value = withNoGrad { x[0].squared() }
            return x[0] * 3 - (x[0] * 3).detached() + value
        }
        let result = gradcheck(wrong, inputs: [Tensor([1, 2, 3], requiresGrad: true)])
        #expect(!result.passed)
        #expect(result.maxAbsoluteError > 0.5)
    }
}
