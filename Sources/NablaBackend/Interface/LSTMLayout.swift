/// Sizes and memory layout of one fused LSTM layer: T steps of N sequences, I inputs, H hidden units.
///
/// The input and every per-(step, sequence) buffer keep the input's row order, [T, N] or (batch-first)
/// [N, T], so the input is never transposed: the N rows of one step form a matrix with row stride `batchRows`.
/// The output [T+1, N, H] ([N, T+1, H] batch-first) holds h_1…h_T along the step axis, then c_T.
package struct LSTMShape: Equatable, Sendable {
    package let steps: Int, batch: Int, inputSize: Int, hiddenSize: Int
    package let batchFirst: Bool

    package var rows: Int { steps * batch }
    package var gateWidth: Int { 4 * hiddenSize }
    /// The width of an operand row [x | 1 | h].
    package var operandWidth: Int { inputSize + 1 + hiddenSize }
    /// Rows between sequence n and n + 1 of one step, in the input's order.
    package var batchRows: Int { batchFirst ? steps : 1 }
    package var outputShape: [Int] { batchFirst ? [batch, steps + 1, hiddenSize] : [steps + 1, batch, hiddenSize] }

    /// The row of (step t, sequence n) in the input and the saved buffers.
    package func row(_ t: Int, _ n: Int) -> Int { batchFirst ? n * steps + t : t * batch + n }
    /// The row of (step t, sequence n) in the output; step T is the final cell state.
    package func outRow(_ t: Int, _ n: Int) -> Int { batchFirst ? n * (steps + 1) + t : t * batch + n }

    package init(steps: Int, batch: Int, inputSize: Int, hiddenSize: Int, batchFirst: Bool) {
        self.steps = steps
        self.batch = batch
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.batchFirst = batchFirst
    }
}

/// What the forward pass keeps for the backward pass, in the input's row order. Every backend's
/// forward fills all four buffers as described, so any backend's backward can read them.
package struct LSTMBuffers {
    /// [rows, 4H]: the gate pre-activations while a step runs, then σ(i), σ(f), tanh(g), σ(o).
    package let gates: UnsafeMutablePointer<Float>
    /// [rows, I + 1 + H]: each row's [x_t | 1 | h_{t−1}], so that one GEMM with the gate gradients
    /// gives [dW_ih | db | dW_hh] at once.
    package let operands: UnsafeMutablePointer<Float>
    /// [rows, H] each: c_{t−1} as each row's step read it, and tanh(c_t).
    package let cPrev: UnsafeMutablePointer<Float>, tanhC: UnsafeMutablePointer<Float>

    package init(gates: UnsafeMutablePointer<Float>, operands: UnsafeMutablePointer<Float>, cPrev: UnsafeMutablePointer<Float>, tanhC: UnsafeMutablePointer<Float>) {
        self.gates = gates
        self.operands = operands
        self.cPrev = cPrev
        self.tanhC = tanhC
    }
}

/// Where the backward pass writes; a `nil` gradient is not computed.
package struct LSTMGradients {
    /// [rows, I] and [N, H], [N, H].
    package let dx: UnsafeMutablePointer<Float>?, dh0: UnsafeMutablePointer<Float>?, dc0: UnsafeMutablePointer<Float>?
    /// [4H, I], [4H, H] and [4H].
    package let dWeightIH: UnsafeMutablePointer<Float>?, dWeightHH: UnsafeMutablePointer<Float>?, dBias: UnsafeMutablePointer<Float>?

    package init(dx: UnsafeMutablePointer<Float>?, dh0: UnsafeMutablePointer<Float>?, dc0: UnsafeMutablePointer<Float>?, dWeightIH: UnsafeMutablePointer<Float>?, dWeightHH: UnsafeMutablePointer<Float>?, dBias: UnsafeMutablePointer<Float>?) {
        self.dx = dx
        self.dh0 = dh0
        self.dc0 = dc0
        self.dWeightIH = dWeightIH
        self.dWeightHH = dWeightHH
        self.dBias = dBias
    }
}
