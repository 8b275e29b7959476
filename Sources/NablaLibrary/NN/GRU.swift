import NablaCore
import NablaBackend

/// A multi-layer gated recurrent unit network, as `torch.nn.GRU` (unidirectional).
///
/// For each step, with gates stacked in PyTorch's order r, z, n:
/// r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
/// n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h′ = (1 − z) ⊙ n + z ⊙ h.
///
/// ```swift
/// let gru = GRU(inputSize: 28, hiddenSize: 128)                 // batch-first
/// let out = gru(x)                                               // [64, 28, 28] → [64, 28, 128]
/// let (seq, h) = gru(x, state: nil)                              // h: [1, 64, 128]
/// ```
public final class GRU: RNNBase, @unchecked Sendable {
    /// Weights and biases start as U(−1/√H, 1/√H) from the thread's default generator, as in PyTorch.
    ///
    /// ```swift
    /// let gru = GRU(inputSize: 10, hiddenSize: 20, numLayers: 2, batchFirst: false)
    /// ```
    public init(inputSize: Int, hiddenSize: Int, numLayers: Int = 1, bias: Bool = true, batchFirst: Bool = true,
                dropout: Float = 0) {
        super.init(kind: "GRU", gates: 3, inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers,
                   bias: bias, batchFirst: batchFirst, dropout: dropout)
    }

    /// The output sequence, [N, T, H] (batch-first) or [T, N, H], from a zero initial state.
    override public func forward(_ input: Tensor) -> Tensor { forward(input, state: nil).output }

    /// The output sequence and the final hidden state [numLayers, N, H], from `state` (zeros when `nil`).
    ///
    /// ```swift
    /// let (out, hN) = gru.forward(x, state: h0)   // h0: [numLayers, N, H]
    /// ```
    public func forward(_ input: Tensor, state: Tensor?) -> (output: Tensor, state: Tensor) {
        run(input, state: state, weights: layers.map(\.tensors))
    }

    /// The recurrence over explicit weight tensors, one entry per layer.
    func run(_ input: Tensor, state: Tensor?, weights: [RNNLayerTensors]) -> (output: Tensor, state: Tensor) {
        let batch = checkedBatchSize(input)
        var xs = timeSteps(input)
        var finalH: [Tensor] = []
        for (k, w) in weights.enumerated() {
            var h = initialState(state, "h", layer: k, batch: batch)
            let rz = gateWeights(w.weightIH, w.biasIH.map { $0 + w.biasHH! }, w.weightHH, gates: 0..<2)
            let newInput = gateWeights(w.weightIH, w.biasIH, nil, gates: 2..<3)[0]
            let newHidden = w.weightHH.narrow(axis: 0, start: 2 * hiddenSize, length: hiddenSize)
            let newBias = w.biasHH?.narrow(axis: 0, start: 2 * hiddenSize, length: hiddenSize)
            xs = withBiasColumn(k == 0 ? xs : dropped(xs)).map { x in
                // r, z from [x, 1, h]·[W_ih | b_ih + b_hh | W_hh]ᵀ; n keeps W_hn h + b_hn apart, since r scales it.
                let operand = h.map { Tensor.cat([x, $0], axis: 1) } ?? x
                let r = gateProduct(operand, rz[0]).sigmoid()
                let z = gateProduct(operand, rz[1]).sigmoid()
                var hn = h?.matmul(newHidden, transB: true)
                if let newBias { hn = hn.map { $0 + newBias } ?? newBias }
                let nInput = x.matmul(newInput, transB: true)
                let n = (hn.map { nInput + r * $0 } ?? nInput).tanh()
                // (1 − z) ⊙ n + z ⊙ h = n + z ⊙ (h − n)
                h = h.map { n + z * ($0 - n) } ?? n - z * n
                return h!
            }
            finalH.append(h!)
        }
        return (sequence(xs), Tensor.stack(finalH))
    }

    /// `forward(_:state:)`, named so that `gru(x, state: h0)` reads like a call.
    ///
    /// ```swift
    /// let (out, hN) = gru(x, state: nil)   // hN: [numLayers, N, H]
    /// ```
    public func callAsFunction(_ input: Tensor, state: Tensor?) -> (output: Tensor, state: Tensor) {
        forward(input, state: state)
    }
}
