import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// The step-by-step LSTM that `Functional.lstm` replaced, composed from primitives (matmul, sigmoid,
/// tanh, elementwise ops) per layer and step, as PyTorch documents it: the reference for the fused kernel.
private func stepByStepLSTM(_ x: Tensor, state: LSTM.State?, layers: [RNNLayerTensors], batchFirst: Bool)
    -> (output: Tensor, state: LSTM.State) {
    let axis = batchFirst ? 1 : 0
    var input = x
    var finalH: [Tensor] = [], finalC: [Tensor] = []
    for (k, w) in layers.enumerated() {
        let hidden = w.weightHH.shape[1]
        let zeros = Tensor.zeros([x.shape[1 - axis], hidden])
        var (h, c) = (state?.h[index: k] ?? zeros, state?.c[index: k] ?? zeros)
        var outputs: [Tensor] = []
        for t in 0..<x.shape[axis] {
            let step = input.narrow(axis: axis, start: t, length: 1).squeeze(axis: axis)
            var pre = step.matmul(w.weightIH, transB: true) + h.matmul(w.weightHH, transB: true)
            if let biasIH = w.biasIH, let biasHH = w.biasHH { pre = pre + biasIH + biasHH }
            let gate = { (g: Int) in pre.narrow(axis: 1, start: g * hidden, length: hidden) }
            c = gate(1).sigmoid() * c + gate(0).sigmoid() * gate(2).tanh()
            h = gate(3).sigmoid() * c.tanh()
            outputs.append(h)
        }
        input = Tensor.stack(outputs, axis: axis)
        finalH.append(h)
        finalC.append(c)
    }
    return (input, (Tensor.stack(finalH), Tensor.stack(finalC)))
}

@Suite struct LSTMFusedTests {
    /// The largest |a − b| / (atol + rtol·|b|) over two same-shape tensors: at most 1 when they agree.
    static func mismatch(_ a: Tensor, _ b: Tensor, rtol: Float = 1e-4, atol: Float = 1e-5) -> Float {
        precondition(a.shape == b.shape, "shapes \(a.shape) and \(b.shape)")
        return zip(a.scalars, b.scalars).map { Swift.abs($0 - $1) / (atol + rtol * Swift.abs($1)) }.max() ?? 0
    }

    /// A 2-layer LSTM with an initial state, on 32 sequences so that the fused kernel splits them among
    /// workers on a multi-core machine: outputs, final states and every gradient match the composition.
    @Test(arguments: [true, false])
    func matchesStepByStepComposition(batchFirst: Bool) {
        Random.seed(21)
        let lstm = LSTM(inputSize: 3, hiddenSize: 5, numLayers: 2, batchFirst: batchFirst)
        let (steps, batch) = (6, 32)
        let x = GradInputs.normal(batchFirst ? [batch, steps, 3] : [steps, batch, 3], seed: 31)
        let h0 = GradInputs.normal([2, batch, 5], seed: 32, scale: 0.5)
        let c0 = GradInputs.normal([2, batch, 5], seed: 33, scale: 0.5)
        let weights = lstm.parameters.map { ($0.value.detached() * 2).requiringGrad() }
        let layers = RecurrentTests.weights(weights[...])
        let inputs = [x, h0, c0] + weights

        func run(_ f: (Tensor, LSTM.State?, [RNNLayerTensors]) -> (output: Tensor, state: LSTM.State)) -> [Tensor] {
            let r = f(x, (h0, c0), layers)
            var generator = Generator(seed: 5)
            let probe = [r.output, r.state.h, r.state.c].map { ($0 * Tensor.normal($0.shape, generator: &generator)).sum() }
            return [r.output, r.state.h, r.state.c] + gradients(of: probe[0] + probe[1] + probe[2], withRespectTo: inputs)
        }
        let fused = run { lstm.run($0, state: $1, weights: $2) }
        let reference = run { stepByStepLSTM($0, state: $1, layers: $2, batchFirst: batchFirst) }
        let names = ["output", "h", "c", "dx", "dh0", "dc0"] + lstm.namedParameters().map { "d" + $0.0 }
        for (name, (got, want)) in zip(names, zip(fused, reference)) {
            #expect(Self.mismatch(got, want) <= 1, "\(name): \(Self.mismatch(got, want))× the tolerance")
        }
    }

    @Test func outputHoldsEveryHiddenStateThenTheFinalCellState() {
        let x = GradInputs.normal([4, 3, 2], seed: 41).detached()
        let (weightIH, weightHH) = (GradInputs.normal([8, 2], seed: 42).detached(), GradInputs.normal([8, 2], seed: 43).detached())
        let y = Functional.lstm(x, h0: nil, c0: nil, weightIH: weightIH, weightHH: weightHH, bias: nil, batchFirst: false)
        let layer = RNNLayerTensors(weightIH: weightIH, weightHH: weightHH, biasIH: nil, biasHH: nil)
        let reference = stepByStepLSTM(x, state: nil, layers: [layer], batchFirst: false)
        #expect(y.shape == [5, 3, 2])
        #expect(Self.mismatch(y.narrow(axis: 0, start: 0, length: 4), reference.output) <= 1)
        #expect(Self.mismatch(y.narrow(axis: 0, start: 4, length: 1), reference.state.c) <= 1)
    }
}
