import NablaCore
import NablaBackend

/// A multi-layer long short-term memory network, as `torch.nn.LSTM` (unidirectional).
///
/// For each step, with gates stacked in PyTorch's order i, f, g, o:
/// i = σ(W_ii x + b_ii + W_hi h + b_hi), f = σ(…), g = tanh(…), o = σ(…),
/// c′ = f ⊙ c + i ⊙ g, h′ = o ⊙ tanh(c′).
///
/// ```swift
/// let lstm = LSTM(inputSize: 28, hiddenSize: 128)              // batch-first
/// let out = lstm(x)                                              // [64, 28, 28] → [64, 28, 128]
/// let (seq, state) = lstm(x, state: nil)                         // state.h, state.c: [1, 64, 128]
/// ```
public final class LSTM: RNNBase, @unchecked Sendable {
    /// The hidden and cell state, each [numLayers, N, H].
    public typealias State = (h: Tensor, c: Tensor)

    /// Weights and biases start as U(−1/√H, 1/√H) from the thread's default generator, as in PyTorch.
    ///
    /// ```swift
    /// let lstm = LSTM(inputSize: 10, hiddenSize: 20, numLayers: 2, batchFirst: false, dropout: 0.2)
    /// ```
    public init(inputSize: Int, hiddenSize: Int, numLayers: Int = 1, bias: Bool = true, batchFirst: Bool = true,
                dropout: Float = 0) {
        super.init(kind: "LSTM", gates: 4, inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers,
                   bias: bias, batchFirst: batchFirst, dropout: dropout)
    }

    /// The output sequence, [N, T, H] (batch-first) or [T, N, H], from a zero initial state.
    override public func forward(_ input: Tensor) -> Tensor { forward(input, state: nil).output }

    /// The output sequence and the final state, from `state` (zeros when `nil`).
    ///
    /// ```swift
    /// let (out, last) = lstm.forward(x, state: (h: h0, c: c0))   // h0, c0: [numLayers, N, H]
    /// ```
    public func forward(_ input: Tensor, state: State?) -> (output: Tensor, state: State) {
        run(input, state: state, weights: layers.map(\.tensors))
    }

    /// The recurrence over explicit weight tensors, one entry per layer: one fused `Functional.lstm` node
    /// per layer, whose extra last step row is the layer's final cell state.
    func run(_ input: Tensor, state: State?, weights: [RNNLayerTensors]) -> (output: Tensor, state: State) {
        let batch = checkedBatchSize(input)
        let (axis, steps) = (batchFirst ? 1 : 0, input.shape[batchFirst ? 1 : 0])
        var sequence = input
        var finalH: [Tensor] = [], finalC: [Tensor] = []
        for (k, w) in weights.enumerated() {
            let both = Functional.lstm(k == 0 ? sequence : dropped(sequence),
                                       h0: initialState(state?.h, "h", layer: k, batch: batch),
                                       c0: initialState(state?.c, "c", layer: k, batch: batch),
                                       weightIH: w.weightIH, weightHH: w.weightHH,
                                       bias: w.biasIH.map { $0 + w.biasHH! }, batchFirst: batchFirst)
            sequence = both.narrow(axis: axis, start: 0, length: steps)
            finalH.append(both.narrow(axis: axis, start: steps - 1, length: 1).reshape([batch, hiddenSize]))
            finalC.append(both.narrow(axis: axis, start: steps, length: 1).reshape([batch, hiddenSize]))
        }
        return (sequence, (Tensor.stack(finalH), Tensor.stack(finalC)))
    }

    /// `forward(_:state:)`, named so that `lstm(x, state: s)` reads like a call.
    ///
    /// ```swift
    /// let (out, state) = lstm(x, state: nil)   // state.h, state.c: [numLayers, N, H]
    /// ```
    public func callAsFunction(_ input: Tensor, state: State?) -> (output: Tensor, state: State) {
        forward(input, state: state)
    }
}
