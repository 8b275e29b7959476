import Foundation
import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// One case of rnn.json: a torch.nn.LSTM/GRU's weights, inputs, outputs and gradients.
struct RNNFixture: Sendable, CustomStringConvertible {
    let base: FixtureCase
    let paramNames: [String]
    let params: [String: FixtureTensor]
    let paramGrads: [String: FixtureTensor]
    let state: [String: FixtureTensor]
    let gradState: [String: FixtureTensor]
    var description: String { base.name }

    var isLSTM: Bool { base.op == "lstm" }
    var numLayers: Int { base.args["num_layers"]!.int! }
    var batchFirst: Bool { base.args["batch_first"]!.bool! }

    /// The extra keys (`params`, `param_grads`, `state`, `grad_state`) read from the JSON next to `base`.
    static func load() -> [RNNFixture] {
        let url = Fixtures.directory.appendingPathComponent("rnn.json")
        let root = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let raw = root["cases"] as! [[String: Any]]
        return zip(Fixtures.load("rnn"), raw).map { base, dict in
            RNNFixture(base: base, paramNames: dict["param_names"] as! [String],
                       params: tensors(dict["params"]), paramGrads: tensors(dict["param_grads"]),
                       state: tensors(dict["state"]), gradState: tensors(dict["grad_state"]))
        }
    }

    private static func tensors(_ any: Any?) -> [String: FixtureTensor] {
        (any as! [String: [String: Any]]).mapValues { dict in
            FixtureTensor(shape: (dict["shape"] as! [NSNumber]).map(\.intValue),
                          data: (dict["data"] as! [NSNumber]).map(\.doubleValue), requiresGrad: false)
        }
    }

    /// A layer of this case's configuration holding PyTorch's weights, loaded by state-dict name.
    func makeLayer() -> RNNBase {
        let (i, h) = (base.args["input_size"]!.int!, base.args["hidden_size"]!.int!)
        let layer: RNNBase = isLSTM
            ? LSTM(inputSize: i, hiddenSize: h, numLayers: numLayers, batchFirst: batchFirst)
            : GRU(inputSize: i, hiddenSize: h, numLayers: numLayers, batchFirst: batchFirst)
        for (name, parameter) in layer.namedParameters() {
            if let value = params[name], value.shape == parameter.shape { parameter.assign(value.tensor) }
        }
        return layer
    }
}

/// The worst |got − want| / (atol + rtol·|want|), README's tolerance policy (rtol 1e-5, atol 1e-6):
/// at most 1 exactly when `allClose` passes.
private func toleranceUsed(_ got: Tensor, _ want: FixtureTensor?) -> Double {
    guard let want, got.shape == want.shape else { return .infinity }
    return zip(got.scalars, want.data).map { Swift.abs(Double($0) - $1) / (1e-6 + 1e-5 * Swift.abs($1)) }.max() ?? 0
}

@Suite struct RecurrentTests {
    static let fixtures = RNNFixture.load()

    /// Runs a fixture case and returns (what, tolerance used) for outputs, states and every gradient.
    static func errors(_ fx: RNNFixture) -> [(String, Double)] {
        let layer = fx.makeLayer()
        let x = fx.base.inputs[0].tensor.requiringGrad()
        let initial = fx.base.inputs.dropFirst().map { $0.tensor.requiringGrad() }
        let output: Tensor, finals: [(String, Tensor)]
        if let lstm = layer as? LSTM {
            let r = initial.isEmpty ? lstm(x, state: nil) : lstm(x, state: (h: initial[0], c: initial[1]))
            (output, finals) = (r.output, [("h", r.state.h), ("c", r.state.c)])
        } else {
            let r = (layer as! GRU)(x, state: initial.first)
            (output, finals) = (r.output, [("h", r.state)])
        }
        var loss = (output * fx.base.gradOutput!.tensor).sum()
        for (key, value) in finals { loss = loss + (value * fx.gradState[key]!.tensor).sum() }
        let params = layer.namedParameters()
        let grads = gradients(of: loss, withRespectTo: [x] + initial + params.map(\.1.value))
        var result = [("output", toleranceUsed(output, fx.base.output))]
        result += finals.map { ("state \($0.0)", toleranceUsed($0.1, fx.state[$0.0])) }
        result += zip(grads, fx.base.grads).enumerated().map { i, pair in
            ("grad input \(i)", toleranceUsed(pair.0, pair.1))
        }
        let paramGrads = grads.suffix(params.count)
        result += zip(params, paramGrads).map { ("grad \($0.0.0)", toleranceUsed($0.1, fx.paramGrads[$0.0.0])) }
        return result
    }

    @Test(arguments: fixtures)
    func matchesPyTorch(_ fx: RNNFixture) {
        let errors = Self.errors(fx)
        #expect(errors.count == 1 + (fx.isLSTM ? 2 : 1) + fx.base.inputs.count + fx.paramNames.count)
        for (what, used) in errors {
            #expect(used <= 1, "\(fx.base.name) \(what): error is \(used)× the tolerance 1e-6 + 1e-5·|want|")
        }
    }

    @Test(arguments: fixtures)
    func stateDictMatchesPyTorch(_ fx: RNNFixture) {
        let layer = fx.makeLayer()
        #expect(layer.namedParameters().map(\.0) == fx.paramNames)
        #expect(layer.namedParameters().map(\.1.shape) == fx.paramNames.map { fx.params[$0]!.shape })
        #expect(layer.parameterCount == fx.params.values.reduce(0) { $0 + $1.data.count })
    }

    @Test func shapeErrorsNameTheLayerAndBothShapes() {
        let lstm = LSTM(inputSize: 28, hiddenSize: 128)
        #expect(throws: ShapeError("LSTM(28→128): expected input [N, T, 28], got [64, 28, 10]")) {
            try lstm.outputShape(for: [64, 28, 10])
        }
        #expect(throws: ShapeError("LSTM(28→128): expected input [N, T, 28], got [64, 28]")) {
            try lstm.outputShape(for: [64, 28])
        }
        let gru = GRU(inputSize: 5, hiddenSize: 7, numLayers: 2, batchFirst: false)
        #expect(throws: ShapeError("GRU(5→7, 2 layers): expected input [T, N, 5], got [3, 4, 6]")) {
            try gru.outputShape(for: [3, 4, 6])
        }
        #expect(throws: ShapeError("GRU(5→7, 2 layers): input [0, 4, 5] has no time steps or no batch entries")) {
            try gru.outputShape(for: [0, 4, 5])
        }
        #expect((try? lstm.outputShape(for: [64, 28, 28])) == [64, 28, 128])
        #expect((try? gru.outputShape(for: [9, 4, 5])) == [9, 4, 7])
    }

    @Test func defaultInitIsUniformWithinOneOverSqrtHidden() {
        Random.seed(7)
        let lstm = LSTM(inputSize: 10, hiddenSize: 16, numLayers: 2)
        Random.seed(7)
        let again = LSTM(inputSize: 10, hiddenSize: 16, numLayers: 2)
        let gru = GRU(inputSize: 10, hiddenSize: 25)
        for (layer, bound) in [(lstm as RNNBase, Float(0.25)), (gru, Float(0.2))] {
            for (name, p) in layer.namedParameters() {
                let values = p.value.scalars
                #expect(values.allSatisfy { Swift.abs($0) <= bound }, "\(name) leaves ±\(bound)")
                #expect(values.max()! > 0.8 * bound && values.min()! < -0.8 * bound, "\(name) does not fill ±\(bound)")
                let mean = values.reduce(0, +) / Float(values.count)
                #expect(Swift.abs(mean) < 0.2 * bound, "\(name) mean \(mean)")
            }
        }
        #expect(zip(lstm.parameters, again.parameters).allSatisfy { $0.value.scalars == $1.value.scalars })
    }

    @Test func reinitializeFillsWeightsAndZeroesBiases() {
        let gru = GRU(inputSize: 3, hiddenSize: 4, numLayers: 2)
        gru.initializeWeights(.constant(0.5))
        for (name, p) in gru.namedParameters() {
            let want: Float = name.hasPrefix("weight") ? 0.5 : 0
            #expect(p.value.scalars.allSatisfy { $0 == want }, "\(name)")
        }
        let lstm = LSTM(inputSize: 3, hiddenSize: 4, bias: false)
        lstm.initializeWeights(.constant(-1))
        #expect(lstm.namedParameters().map(\.0) == ["weight_ih_l0", "weight_hh_l0"])
        #expect(lstm.parameters.allSatisfy { $0.value.scalars.allSatisfy { $0 == -1 } })
    }

    /// Layer weights as gradcheck inputs, `numLayers` groups of four in state-dict order.
    static func weights(_ t: ArraySlice<Tensor>) -> [RNNLayerTensors] {
        stride(from: t.startIndex, to: t.endIndex, by: 4).map {
            RNNLayerTensors(weightIH: t[$0], weightHH: t[$0 + 1], biasIH: t[$0 + 2], biasHH: t[$0 + 3])
        }
    }

    static func gradcheckInputs(_ layer: RNNBase, states: Int) -> [Tensor] {
        let x = GradInputs.normal(layer.batchFirst ? [2, 3, layer.inputSize] : [3, 2, layer.inputSize], seed: 1)
        let h = (0..<states).map {
            GradInputs.normal([layer.numLayers, 2, layer.hiddenSize], seed: 2 + UInt64($0), scale: 0.5)
        }
        // Weights scaled up from the default ±1/√H so the gates leave their linear range.
        return [x] + h + layer.parameters.map { ($0.value.detached() * 2).requiringGrad() }
    }

    @Test(arguments: [true, false])
    func lstmGradcheckOverInputsStatesAndParameters(withState: Bool) {
        Random.seed(3)
        let lstm = LSTM(inputSize: 2, hiddenSize: 3, numLayers: 2)
        let states = withState ? 2 : 0
        let result = gradcheck({ t in
            let state = withState ? (h: t[1], c: t[2]) : nil
            let r = lstm.run(t[0], state: state, weights: Self.weights(t[(1 + states)...]))
            return Tensor.cat([r.output.flatten(), r.state.h.flatten(), r.state.c.flatten()])
        }, inputs: Self.gradcheckInputs(lstm, states: states))
        #expect(result.passed, "\(result)")
    }

    @Test(arguments: [true, false])
    func gruGradcheckOverInputsStatesAndParameters(withState: Bool) {
        Random.seed(4)
        let gru = GRU(inputSize: 2, hiddenSize: 3, numLayers: 2, batchFirst: false)
        let states = withState ? 1 : 0
        let result = gradcheck({ t in
            let r = gru.run(t[0], state: withState ? t[1] : nil, weights: Self.weights(t[(1 + states)...]))
            return Tensor.cat([r.output.flatten(), r.state.flatten()])
        }, inputs: Self.gradcheckInputs(gru, states: states))
        #expect(result.passed, "\(result)")
    }

    @Test func noBiasEqualsZeroBias() {
        let x = GradInputs.normal([2, 4, 3], seed: 5).detached()
        for kind in ["LSTM", "GRU"] {
            let make: (Bool) -> RNNBase = { bias in
                Random.seed(9)
                return kind == "LSTM" ? LSTM(inputSize: 3, hiddenSize: 5, numLayers: 2, bias: bias)
                    : GRU(inputSize: 3, hiddenSize: 5, numLayers: 2, bias: bias)
            }
            let (plain, zeroed) = (make(false), make(true))
            for (k, w) in zeroed.layers.enumerated() {
                w.weightIH.assign(plain.layers[k].weightIH.value)
                w.weightHH.assign(plain.layers[k].weightHH.value)
                w.biasIH!.assign(.zeros(w.biasIH!.shape))
                w.biasHH!.assign(.zeros(w.biasHH!.shape))
            }
            #expect(plain.parameters.count == 4 && zeroed.parameters.count == 8)
            #expect(plain(x).scalars == zeroed(x).scalars, "\(kind)")
        }
    }

    @Test func finalHiddenStateIsTheLastOutputStep() {
        Random.seed(11)
        let lstm = LSTM(inputSize: 3, hiddenSize: 4)
        let x = GradInputs.normal([2, 5, 3], seed: 6).detached()
        let (out, state) = lstm(x, state: nil)
        #expect(out.shape == [2, 5, 4] && state.h.shape == [1, 2, 4] && state.c.shape == [1, 2, 4])
        #expect(out.narrow(axis: 1, start: 4, length: 1).scalars == state.h.scalars)
        #expect(lstm(x).scalars == out.scalars)
    }

    @Test func dropoutActsBetweenLayersOnlyInTraining() {
        Random.seed(12)
        let noisy = LSTM(inputSize: 3, hiddenSize: 8, numLayers: 2, dropout: 0.5)
        let clean = LSTM(inputSize: 3, hiddenSize: 8, numLayers: 2)
        for (a, b) in zip(noisy.parameters, clean.parameters) { a.assign(b.value) }
        let x = GradInputs.normal([4, 6, 3], seed: 7).detached()
        noisy.eval()
        #expect(noisy(x).scalars == clean(x).scalars)
        noisy.train()
        let trained = noisy(x)
        #expect(trained.scalars != clean(x).scalars)
        #expect(trained.scalars.allSatisfy { Swift.abs($0) < 1 }, "h = o ⊙ tanh(c) stays inside (−1, 1)")
    }
}
