import NablaBackend

/// What a fused LSTM node keeps for its gradient: the layout, which optional inputs it was given,
/// and the gate activations and states of every step.
package final class LSTMSaved: @unchecked Sendable {
    let shape: LSTMShape
    let hasBias: Bool, hasInitialH: Bool, hasInitialC: Bool
    /// See `LSTMBuffers`.
    let gates: TensorStorage, operands: TensorStorage, cPrev: TensorStorage, tanhC: TensorStorage

    init(_ shape: LSTMShape, hasBias: Bool, hasInitialH: Bool, hasInitialC: Bool) {
        self.shape = shape
        (self.hasBias, self.hasInitialH, self.hasInitialC) = (hasBias, hasInitialH, hasInitialC)
        gates = TensorStorage.uninitialized(count: shape.rows * shape.gateWidth)
        operands = TensorStorage.uninitialized(count: shape.rows * shape.operandWidth)
        cPrev = TensorStorage.uninitialized(count: shape.rows * shape.hiddenSize)
        tanhC = TensorStorage.uninitialized(count: shape.rows * shape.hiddenSize)
    }

    var buffers: LSTMBuffers { LSTMBuffers(gates: gates.pointer, operands: operands.pointer, cPrev: cPrev.pointer, tanhC: tanhC.pointer) }

    /// The node's inputs by role; they were recorded as [x, W_ih, W_hh] + [bias] + [h0] + [c0].
    func split(_ inputs: [Tensor]) -> (x: Tensor, weightIH: Tensor, weightHH: Tensor, bias: Tensor?, h0: Tensor?, c0: Tensor?) {
        var rest = inputs[3...].makeIterator()
        let bias = hasBias ? rest.next() : nil
        let h0 = hasInitialH ? rest.next() : nil
        return (inputs[0], inputs[1], inputs[2], bias, h0, hasInitialC ? rest.next() : nil)
    }
}

extension Functional {
    /// One LSTM layer over a whole sequence as a single primitive, with PyTorch's gates i, f, g, o.
    ///
    /// `input` is [T, N, I] ([N, T, I] when `batchFirst`); `h0` and `c0` are [N, H] (zeros when nil);
    /// `weightIH` is [4H, I], `weightHH` [4H, H] and `bias` [4H] (PyTorch's b_ih + b_hh; none when nil).
    /// The result is [T+1, N, H] ([N, T+1, H]): h_1…h_T along the step axis, then the final cell state c_T,
    /// so that one node carries both and the gradient of c_T flows back too.
    ///
    /// ```swift
    /// let y = Functional.lstm(x, h0: nil, c0: nil, weightIH: wIH, weightHH: wHH, bias: b, batchFirst: true)
    /// let output = y.narrow(axis: 1, start: 0, length: steps)   // [N, T, H]
    /// let cellState = y.narrow(axis: 1, start: steps, length: 1)   // [N, 1, H]
    /// ```
    public static func lstm(_ input: Tensor, h0: Tensor?, c0: Tensor?, weightIH: Tensor, weightHH: Tensor, bias: Tensor?,
                            batchFirst: Bool) -> Tensor {
        let s = lstmShape(input, weightIH: weightIH, batchFirst: batchFirst)
        let (h, g) = (s.hiddenSize, s.gateWidth)
        precondition(weightHH.shape == [g, h], "lstm: weightHH \(weightHH.shape) should be [\(g), \(h)]")
        if let bias { precondition(bias.shape == [g], "lstm: bias \(bias.shape) should be [\(g)]") }
        for (name, state) in [("h0", h0), ("c0", c0)] {
            if let state { precondition(state.shape == [s.batch, h], "lstm: \(name) \(state.shape) should be [\(s.batch), \(h)]") }
        }
        let saved = LSTMSaved(s, hasBias: bias != nil, hasInitialH: h0 != nil, hasInitialC: c0 != nil)
        let out = TensorStorage.uninitialized(count: Shape.count(s.outputShape))
        Backends.current.lstmForward(input.storage.pointer, h0: h0?.storage.pointer, c0: c0?.storage.pointer,
                                     weightIH: weightIH.storage.pointer, weightHH: weightHH.storage.pointer,
                                     bias: bias?.storage.pointer, out: out.pointer, saved: saved.buffers, s)
        let inputs = [input, weightIH, weightHH] + [bias, h0, c0].compactMap { $0 }
        return .record(.lstm(saved), inputs: inputs, shape: s.outputShape, storage: out)
    }

    private static func lstmShape(_ input: Tensor, weightIH: Tensor, batchFirst: Bool) -> LSTMShape {
        let layout = batchFirst ? "[N, T, I]" : "[T, N, I]"
        precondition(input.rank == 3, "lstm: expected input \(layout), got \(input.shape)")
        precondition(weightIH.rank == 2 && weightIH.shape[0] % 4 == 0 && weightIH.shape[0] > 0,
                     "lstm: weightIH \(weightIH.shape) should be [4H, I]")
        precondition(weightIH.shape[1] == input.shape[2],
                     "lstm: input \(input.shape) has \(input.shape[2]) features, weightIH \(weightIH.shape) expects \(weightIH.shape[1])")
        let (steps, batch) = batchFirst ? (input.shape[1], input.shape[0]) : (input.shape[0], input.shape[1])
        precondition(steps > 0 && batch > 0, "lstm: input \(input.shape) has no time steps or no batch entries")
        return LSTMShape(steps: steps, batch: batch, inputSize: input.shape[2], hiddenSize: weightIH.shape[0] / 4,
                         batchFirst: batchFirst)
    }
}
