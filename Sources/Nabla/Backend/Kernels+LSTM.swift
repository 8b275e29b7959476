/// Sizes and memory layout of one fused LSTM layer: T steps of N sequences, I inputs, H hidden units.
///
/// The input and every per-(step, sequence) buffer keep the input's row order, [T, N] or (batch-first)
/// [N, T], so nothing is transposed: the N rows of one step form a matrix with row stride `batchRows`.
/// The output [T+1, N, H] ([N, T+1, H] batch-first) holds h_1…h_T along the step axis, then c_T.
struct LSTMShape: Equatable, Sendable {
    let steps: Int, batch: Int, inputSize: Int, hiddenSize: Int
    let batchFirst: Bool

    var rows: Int { steps * batch }
    var gateWidth: Int { 4 * hiddenSize }
    /// Rows between sequence n and n + 1 of one step, in the input's order.
    var batchRows: Int { batchFirst ? steps : 1 }
    /// Rows between sequence n and n + 1 of one step in the output, whose step axis has T + 1 entries.
    var outBatchRows: Int { batchFirst ? steps + 1 : 1 }
    var outputShape: [Int] { batchFirst ? [batch, steps + 1, hiddenSize] : [steps + 1, batch, hiddenSize] }

    /// The row of (step t, sequence n) in the input and the saved buffers.
    func row(_ t: Int, _ n: Int) -> Int { batchFirst ? n * steps + t : t * batch + n }
    /// The row of (step t, sequence n) in the output; step T is the final cell state.
    func outRow(_ t: Int, _ n: Int) -> Int { batchFirst ? n * (steps + 1) + t : t * batch + n }
}

/// What the forward pass keeps for the backward pass, in the input's row order.
struct LSTMBuffers {
    /// [rows, 4H]: the gate pre-activations while a step runs, then σ(i), σ(f), tanh(g), σ(o).
    let gates: UnsafeMutablePointer<Float>
    /// [rows, H] each: h_{t−1} and c_{t−1} as each row's step read them, and tanh(c_t).
    let hPrev: UnsafeMutablePointer<Float>, cPrev: UnsafeMutablePointer<Float>, tanhC: UnsafeMutablePointer<Float>
}

/// Where the backward pass writes; a `nil` gradient is not computed.
struct LSTMGradients {
    /// [rows, I] and [N, H], [N, H].
    let dx: UnsafeMutablePointer<Float>?, dh0: UnsafeMutablePointer<Float>?, dc0: UnsafeMutablePointer<Float>?
    /// [4H, I], [4H, H] and [4H].
    let dWeightIH: UnsafeMutablePointer<Float>?, dWeightHH: UnsafeMutablePointer<Float>?, dBias: UnsafeMutablePointer<Float>?
}

extension Kernels {
    /// A whole LSTM layer: all steps' x·W_ihᵀ in one GEMM, then per step one GEMM h_{t−1}·W_hhᵀ added
    /// in place and one fused pass for the gates and the c, h update. `h0`, `c0` and `bias` may be nil (zeros).
    static func lstmForward(_ x: UnsafePointer<Float>, h0: UnsafePointer<Float>?, c0: UnsafePointer<Float>?,
                            weightIH: UnsafePointer<Float>, weightHH: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                            out: UnsafeMutablePointer<Float>, saved: LSTMBuffers, _ s: LSTMShape) {
        let (h, g) = (s.hiddenSize, s.gateWidth)
        BLAS.sgemm(transA: false, transB: true, m: s.rows, n: g, k: s.inputSize, alpha: 1, a: x, lda: s.inputSize,
                   b: weightIH, ldb: s.inputSize, beta: 0, c: saved.gates, ldc: g)
        copyInitial(h0, to: saved.hPrev, s)
        copyInitial(c0, to: saved.cPrev, s)
        withZerosIfNil(bias, count: g) { bias in
            for t in 0..<s.steps {
                let first = s.row(t, 0)
                // A zero h0 adds nothing at step 0.
                if t > 0 || h0 != nil {
                    BLAS.sgemm(transA: false, transB: true, m: s.batch, n: g, k: h, alpha: 1, a: saved.hPrev + first * h,
                               lda: s.batchRows * h, b: weightHH, ldb: h, beta: 1, c: saved.gates + first * g, ldc: s.batchRows * g)
                }
                lstmStepForward(t, bias: bias, out: out, saved: saved, s)
            }
        }
    }

    /// The fused cell pass of step `t` for every sequence: h_t to the output (and the next step's hPrev),
    /// c_t to the next step's cPrev, or to the output's last step row after the last step.
    private static func lstmStepForward(_ t: Int, bias: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>,
                                        saved: LSTMBuffers, _ s: LSTMShape) {
        let (h, last) = (s.hiddenSize, t == s.steps - 1)
        for n in 0..<s.batch {
            let r = s.row(t, n)
            let hOut = out + s.outRow(t, n) * h
            let target = LSTMCell.Targets(h: hOut, hCopy: last ? nil : saved.hPrev + s.row(t + 1, n) * h,
                                          c: last ? out + s.outRow(s.steps, n) * h : saved.cPrev + s.row(t + 1, n) * h,
                                          tanhC: saved.tanhC + r * h)
            LSTMCell.forward(gates: saved.gates + r * s.gateWidth, bias: bias, cPrev: saved.cPrev + r * h, target, h)
        }
    }

    /// Back-propagation through time: per step (last first) one fused pass gives that step's gate gradients
    /// and one GEMM dh_{t−1} = dgates_t·W_hh; then the weight gradients and dx are one GEMM each over all steps.
    static func lstmBackward(_ gradOut: UnsafePointer<Float>, x: UnsafePointer<Float>, weightIH: UnsafePointer<Float>,
                             weightHH: UnsafePointer<Float>, saved: LSTMBuffers, grads: LSTMGradients, _ s: LSTMShape) {
        let (n, h, g) = (s.batch, s.hiddenSize, s.gateWidth)
        BufferPool.withScratch(s.rows * g) { dGates in
            BufferPool.withScratch(2 * n * h + g) { scratch in
                let (dc, dh, dBias) = (scratch, scratch + n * h, scratch + 2 * n * h)
                // dc starts as the gradient of c_T, dh from later steps as zero.
                for i in 0..<n { (dc + i * h).update(from: gradOut + s.outRow(s.steps, i) * h, count: h) }
                dh.initialize(repeating: 0, count: n * h)
                dBias.initialize(repeating: 0, count: g)
                for t in (0..<s.steps).reversed() {
                    lstmStepBackward(t, gradOut, saved: saved, dc: dc, dh: dh, dGates: dGates, dBias: dBias, s)
                    guard t > 0 || grads.dh0 != nil else { continue }
                    let first = s.row(t, 0)
                    BLAS.sgemm(transA: false, transB: false, m: n, n: h, k: g, alpha: 1, a: dGates + first * g,
                               lda: s.batchRows * g, b: weightHH, ldb: h, beta: 0, c: dh, ldc: h)
                }
                grads.dh0?.update(from: dh, count: n * h)
                grads.dc0?.update(from: dc, count: n * h)
                grads.dBias?.update(from: dBias, count: g)
                lstmWeightGradients(x, weightIH: weightIH, dGates: dGates, hPrev: saved.hPrev, grads: grads, s)
            }
        }
    }

    /// The fused backward pass of step `t`: reads dh (from step t + 1) and dc, writes the step's dgates,
    /// leaves dc_{t−1} in `dc` and adds the gate gradients to `dBias`.
    private static func lstmStepBackward(_ t: Int, _ gradOut: UnsafePointer<Float>, saved: LSTMBuffers,
                                         dc: UnsafeMutablePointer<Float>, dh: UnsafeMutablePointer<Float>,
                                         dGates: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>, _ s: LSTMShape) {
        let (h, g) = (s.hiddenSize, s.gateWidth)
        for n in 0..<s.batch {
            let r = s.row(t, n)
            let state = LSTMCell.Saved(gates: saved.gates + r * g, cPrev: saved.cPrev + r * h, tanhC: saved.tanhC + r * h)
            LSTMCell.backward(state, gradH: gradOut + s.outRow(t, n) * h, dhLater: dh + n * h, dc: dc + n * h,
                              dGates: dGates + r * g, dBias: dBias, h)
        }
    }

    /// dW_hh = Σ dgatesᵀ·h_{t−1}, dW_ih = Σ dgatesᵀ·x and dx = dgates·W_ih, each one GEMM over all rows.
    private static func lstmWeightGradients(_ x: UnsafePointer<Float>, weightIH: UnsafePointer<Float>,
                                            dGates: UnsafeMutablePointer<Float>, hPrev: UnsafePointer<Float>,
                                            grads: LSTMGradients, _ s: LSTMShape) {
        let (h, g, i) = (s.hiddenSize, s.gateWidth, s.inputSize)
        if let dW = grads.dWeightHH {
            BLAS.sgemm(transA: true, transB: false, m: g, n: h, k: s.rows, alpha: 1, a: dGates, lda: g,
                       b: hPrev, ldb: h, beta: 0, c: dW, ldc: h)
        }
        if let dW = grads.dWeightIH {
            BLAS.sgemm(transA: true, transB: false, m: g, n: i, k: s.rows, alpha: 1, a: dGates, lda: g,
                       b: x, ldb: i, beta: 0, c: dW, ldc: i)
        }
        if let dx = grads.dx {
            BLAS.sgemm(transA: false, transB: false, m: s.rows, n: i, k: g, alpha: 1, a: dGates, lda: g,
                       b: weightIH, ldb: i, beta: 0, c: dx, ldc: i)
        }
    }

    /// Copies an initial state [N, H] into the rows of step 0, or zeroes them.
    private static func copyInitial(_ state: UnsafePointer<Float>?, to rows: UnsafeMutablePointer<Float>, _ s: LSTMShape) {
        let h = s.hiddenSize
        for n in 0..<s.batch {
            let target = rows + s.row(0, n) * h
            if let state { target.update(from: state + n * h, count: h) } else { target.initialize(repeating: 0, count: h) }
        }
    }

    private static func withZerosIfNil(_ values: UnsafePointer<Float>?, count: Int, _ body: (UnsafePointer<Float>) -> Void) {
        if let values { return body(values) }
        BufferPool.withScratch(count) { zeros in
            zeros.initialize(repeating: 0, count: count)
            body(zeros)
        }
    }
}
