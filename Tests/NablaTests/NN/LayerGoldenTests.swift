import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// Every layer against torch.nn (Tests/Fixtures/nn.json): output, input gradient, parameter
/// gradients and buffers, with PyTorch's parameter values loaded by state-dict name.
@Suite struct LayerGoldenTests {
    static let cases = Fixtures.load("nn")

    static func makeLayer(_ a: [String: JSONArg]) -> Module? {
        func pair(_ key: String) -> (Int, Int) { let v = a[key]!.ints!; return (v[0], v[1]) }
        switch a["layer"]?.stringValue {
        case "linear": return Linear(a["in"]!.int!, a["out"]!.int!, bias: a["bias"]?.bool ?? true)
        case "conv2d":
            let padding: Conv2d.Padding = a["padding"]?.stringValue == "same" ? .same : .explicit(pair("padding").0, pair("padding").1)
            return Conv2d(a["in_ch"]!.int!, a["out_ch"]!.int!, kernelSize: pair("kernel"), stride: pair("stride"),
                          padding: padding, dilation: pair("dilation"), bias: a["bias"]!.bool!)
        case "maxpool2d": return MaxPool2d(a["kernel"]!.int!, stride: a["stride"]!.int!, padding: a["padding"]!.int!)
        case "avgpool2d": return AvgPool2d(a["kernel"]!.int!, stride: a["stride"]!.int!, padding: a["padding"]!.int!)
        case "adaptive_avgpool2d": return AdaptiveAvgPool2d(pair("size"))
        case "flatten": return Flatten()
        case "batchnorm1d": return BatchNorm1d(a["features"]!.int!, eps: a["eps"]!.float!, momentum: a["momentum"]!.float!)
        case "batchnorm2d": return BatchNorm2d(a["features"]!.int!, eps: a["eps"]!.float!, momentum: a["momentum"]!.float!)
        case "layernorm": return LayerNorm(a["shape"]!.ints!, eps: a["eps"]?.float ?? 1e-5)
        case "embedding": return Embedding(a["count"]!.int!, a["dim"]!.int!)
        case "sequential_mlp":
            return Sequential { Linear(6, 5); ReLU(); Linear(5, 4); Tanh(); Linear(4, 3) }
        case "residual_projection":
            return Residual(Sequential { Conv2d(2, 4, kernelSize: 3, padding: 1); BatchNorm2d(4); ReLU() },
                            projection: Sequential { Conv2d(2, 4, kernelSize: 1); BatchNorm2d(4) })
        default: return nil
        }
    }

    @Test(arguments: cases)
    func matchesTorchNN(_ c: FixtureCase) throws {
        let layer = try #require(Self.makeLayer(c.args), "no Swift layer for \(c.name)")
        let names = c.args["params"]?.stringList ?? []
        let params = Dictionary(uniqueKeysWithValues: zip(names, c.inputs.dropFirst().map(\.tensor)))
        let report = try layer.loadStateDict(params, strict: false)
        #expect(report.unexpected.isEmpty, "\(c.name): unexpected \(report.unexpected)")
        #expect(Set(layer.namedParameters().map(\.0)) == Set(names), "\(c.name): parameter names differ from PyTorch's")
        for w in c.warmup { _ = withNoGrad { layer(w.tensor) } }
        if c.args["mode"]?.stringValue == "eval" { layer.eval() } else { layer.train() }

        let x = c.inputs[0].tensor
        let out = layer(x)
        #expect(out.shape == c.output.shape, "\(c.name): shape \(out.shape) vs \(c.output.shape)")
        #expect(allClose(out.scalars, c.output.data, rtol: 1e-4, atol: 1e-5), "\(c.name): forward error \(maxError(out.scalars, c.output.data))")

        for (name, want) in c.buffersAfter {
            let got = try #require(layer.namedBuffers().first { $0.0 == name }?.1.value, "\(c.name): no buffer \(name)")
            #expect(allClose(got.scalars, want.data, rtol: 1e-5, atol: 1e-6), "\(c.name): buffer \(name) \(got.scalars) vs \(want.data)")
        }

        let gradOutput = try #require(c.gradOutput)
        let parameters = layer.namedParameters()
        let wrt = (x.requiresGrad ? [x] : []) + parameters.map { $0.1.value }
        let grads = gradients(of: (out * gradOutput.tensor).sum(), withRespectTo: wrt)
        if x.requiresGrad, let want = c.grads[0] {
            #expect(allClose(grads[0].scalars, want.data, rtol: 1e-4, atol: 1e-5), "\(c.name): input grad error \(maxError(grads[0].scalars, want.data))")
        }
        let offset = x.requiresGrad ? 1 : 0
        for (i, (name, _)) in parameters.enumerated() {
            let want = try #require(c.grads[1 + names.firstIndex(of: name)!])
            #expect(allClose(grads[offset + i].scalars, want.data, rtol: 1e-4, atol: 1e-5),
                    "\(c.name): grad of \(name) error \(maxError(grads[offset + i].scalars, want.data))")
        }
    }
}
