extension LSTMShape {
    /// Fewer sequences per worker leave each step's GEMM too small to pay for packing W_hh.
    static let minSequencesPerWorker = 16

    /// Runs `body` on disjoint ranges of sequences, about one per core, each on its own thread for
    /// all steps: sequences do not interact, so the workers never wait for each other within a layer.
    func forEachSequenceGroup(_ body: (Range<Int>) -> Void) {
        Kernels.forEachCoreRange(batch, atLeast: Self.minSequencesPerWorker, body)
    }
}

extension Kernels {
    /// Splits `0..<count` into about one contiguous range per core, none shorter than `atLeast`
    /// (unless `count` is), and runs them in parallel.
    static func forEachCoreRange(_ count: Int, atLeast: Int, _ body: (Range<Int>) -> Void) {
        Parallel.forEachChunk(count: count, minChunk: Swift.max(atLeast, count / Parallel.coreCount), body)
    }

    /// Runs a fused LSTM pass with every product on its calling thread: the products are already split
    /// among the pass's own workers, and splitting them again would only make the cores wait.
    static func withLSTMWorkers(_ body: () -> Void) { BLAS.withCallerThreads(body) }
}

extension Kernels {
    /// A whole LSTM layer: all steps' x·W_ihᵀ as one product (its rows split among the workers), then per
    /// step one GEMM h_{t−1}·W_hhᵀ added in place and one fused pass for the gates and the c, h update.
    /// `h0`, `c0` and `bias` may be nil (zeros).
    package static func lstmForward(_ x: UnsafePointer<Float>, h0: UnsafePointer<Float>?, c0: UnsafePointer<Float>?,
                            weightIH: UnsafePointer<Float>, weightHH: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                            out: UnsafeMutablePointer<Float>, saved: LSTMBuffers, _ s: LSTMShape) {
        let (i, g) = (s.inputSize, s.gateWidth)
        fillOperands(x, h0: h0, c0: c0, saved, s)
        let (native, variant) = (NativeKernels.current, SIMDVariant.current)
        // [W_ih | W_hh]ᵀ, [I + H, 4H]: OpenBLAS ran these products a quarter faster on weights stored [k, n].
        BufferPool.withScratch(g * (i + s.hiddenSize)) { weightsT in
            stridedRead(weightIH, offset: 0, strides: [1, i], weightsT, shape: [i, g])
            stridedRead(weightHH, offset: 0, strides: [1, s.hiddenSize], weightsT + i * g, shape: [s.hiddenSize, g])
            // W_hhᵀ meets every step: packed once for the pass when the AVX-512 GEMM runs the products.
            let recurrent = PackedMatrix(weightsT + i * g, transposed: false, rows: s.hiddenSize, columns: g, ldb: g, variant: variant)
            withLSTMWorkers { withZerosIfNil(bias, count: g) { bias in
                forEachCoreRange(s.rows, atLeast: 64) { rows in
                    BLAS.sgemm(transA: false, transB: false, m: rows.count, n: g, k: i, alpha: 1, a: x + rows.lowerBound * i,
                               lda: i, b: weightsT, ldb: g, beta: 0, c: saved.gates + rows.lowerBound * g, ldc: g, variant: variant)
                }
                s.forEachSequenceGroup { group in
                    lstmGroupForward(group, recurrent: recurrent, bias: bias, fromZero: h0 == nil, out: out, saved: saved,
                                     native: native, s)
                }
            } }
        }
    }

    /// All steps for the sequences in `group`. `fromZero`: h0 is zero, so step 0 has no recurrent product.
    private static func lstmGroupForward(_ group: Range<Int>, recurrent: PackedMatrix, bias: UnsafePointer<Float>,
                                         fromZero: Bool, out: UnsafeMutablePointer<Float>, saved: LSTMBuffers,
                                         native: NativeKernels?, _ s: LSTMShape) {
        let (g, w) = (s.gateWidth, s.operandWidth)
        for t in 0..<s.steps {
            let first = s.row(t, group.lowerBound)
            if t > 0 || !fromZero {
                recurrent.multiply(m: group.count, alpha: 1, a: saved.operands + first * w + s.inputSize + 1, lda: s.batchRows * w,
                                   beta: 1, c: saved.gates + first * g, ldc: s.batchRows * g)
            }
            lstmStepForward(t, group, bias: bias, out: out, saved: saved, native: native, s)
        }
    }

    /// The fused cell pass of step `t` for `group`: h_t to the output and the next step's operand row,
    /// c_t to the next step's cPrev, or to the output's last step row after the last step.
    private static func lstmStepForward(_ t: Int, _ group: Range<Int>, bias: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>,
                                        saved: LSTMBuffers, native: NativeKernels?, _ s: LSTMShape) {
        let (h, w, last) = (s.hiddenSize, s.operandWidth, t == s.steps - 1)
        for n in group {
            let r = s.row(t, n)
            let target = LSTMCell.Targets(h: out + s.outRow(t, n) * h,
                                          hCopy: last ? nil : saved.operands + s.row(t + 1, n) * w + s.inputSize + 1,
                                          c: last ? out + s.outRow(s.steps, n) * h : saved.cPrev + s.row(t + 1, n) * h,
                                          tanhC: saved.tanhC + r * h)
            LSTMCell.forward(gates: saved.gates + r * s.gateWidth, bias: bias, cPrev: saved.cPrev + r * h, target, h, native: native)
        }
    }

    /// Back-propagation through time: per step (last first) one fused pass gives that step's gate gradients
    /// and one GEMM dh_{t−1} = dgates_t·W_hh; then the weight gradients and dx are one GEMM each over all steps.
    package static func lstmBackward(_ gradOut: UnsafePointer<Float>, weightIH: UnsafePointer<Float>, weightHH: UnsafePointer<Float>,
                             saved: LSTMBuffers, grads: LSTMGradients, _ s: LSTMShape) {
        let (n, h, g) = (s.batch, s.hiddenSize, s.gateWidth)
        let (native, variant) = (NativeKernels.current, SIMDVariant.current)
        let recurrent = PackedMatrix(weightHH, transposed: false, rows: g, columns: h, ldb: h, variant: variant)
        BufferPool.withScratch(s.rows * g) { dGates in
            BufferPool.withScratch(2 * n * h) { scratch in
                let (dc, dh) = (scratch, scratch + n * h)
                withLSTMWorkers {
                    s.forEachSequenceGroup { group in
                        lstmGroupBackward(group, gradOut, recurrent: recurrent, saved: saved, dc: dc, dh: dh, dGates: dGates,
                                          needsDH0: grads.dh0 != nil, native: native, s)
                    }
                    lstmWeightGradients(dGates, weightIH: weightIH, operands: saved.operands, grads: grads, variant: variant, s)
                }
                grads.dh0?.update(from: dh, count: n * h)
                grads.dc0?.update(from: dc, count: n * h)
            }
        }
    }

    /// All steps back for the sequences in `group`; leaves their dh_0 and dc_0 in rows `group` of `dh`, `dc`.
    private static func lstmGroupBackward(_ group: Range<Int>, _ gradOut: UnsafePointer<Float>, recurrent: PackedMatrix,
                                          saved: LSTMBuffers, dc: UnsafeMutablePointer<Float>, dh: UnsafeMutablePointer<Float>,
                                          dGates: UnsafeMutablePointer<Float>, needsDH0: Bool, native: NativeKernels?,
                                          _ s: LSTMShape) {
        let (h, g) = (s.hiddenSize, s.gateWidth)
        let (dc, dh) = (dc + group.lowerBound * h, dh + group.lowerBound * h)
        // dc starts as the gradient of c_T, dh from later steps as zero.
        for (k, n) in group.enumerated() { (dc + k * h).update(from: gradOut + s.outRow(s.steps, n) * h, count: h) }
        dh.initialize(repeating: 0, count: group.count * h)
        for t in (0..<s.steps).reversed() {
            for (k, n) in group.enumerated() {
                let r = s.row(t, n)
                let state = LSTMCell.Saved(gates: saved.gates + r * g, cPrev: saved.cPrev + r * h, tanhC: saved.tanhC + r * h)
                LSTMCell.backward(state, gradH: gradOut + s.outRow(t, n) * h, dhLater: dh + k * h, dc: dc + k * h,
                                  dGates: dGates + r * g, h, native: native)
            }
            guard t > 0 || needsDH0 else { continue }
            recurrent.multiply(m: group.count, alpha: 1, a: dGates + s.row(t, group.lowerBound) * g, lda: s.batchRows * g,
                               beta: 0, c: dh, ldc: h)
        }
    }

    /// [dW_ih | db | dW_hh] = Σ dgatesᵀ·[x | 1 | h_{t−1}] in one GEMM over all rows, then dx = dgates·W_ih.
    private static func lstmWeightGradients(_ dGates: UnsafePointer<Float>, weightIH: UnsafePointer<Float>,
                                            operands: UnsafePointer<Float>, grads: LSTMGradients, variant: SIMDVariant,
                                            _ s: LSTMShape) {
        let (h, g, i, w) = (s.hiddenSize, s.gateWidth, s.inputSize, s.operandWidth)
        if grads.dWeightIH != nil || grads.dWeightHH != nil || grads.dBias != nil {
            BufferPool.withScratch(g * w) { joint in
                // Each worker owns some gate rows of the result: no partial sums to add up.
                forEachCoreRange(g, atLeast: 64) { gates in
                    let part = joint + gates.lowerBound * w
                    BLAS.sgemm(transA: true, transB: false, m: gates.count, n: w, k: s.rows, alpha: 1, a: dGates + gates.lowerBound,
                               lda: g, b: operands, ldb: w, beta: 0, c: part, ldc: w, variant: variant)
                    for row in gates {
                        let source = joint + row * w
                        grads.dWeightIH.map { ($0 + row * i).update(from: source, count: i) }
                        grads.dBias.map { $0[row] = source[i] }
                        grads.dWeightHH.map { ($0 + row * h).update(from: source + i + 1, count: h) }
                    }
                }
            }
        }
        if let dx = grads.dx {
            forEachCoreRange(s.rows, atLeast: 64) { rows in
                BLAS.sgemm(transA: false, transB: false, m: rows.count, n: i, k: g, alpha: 1, a: dGates + rows.lowerBound * g, lda: g,
                           b: weightIH, ldb: i, beta: 0, c: dx + rows.lowerBound * i, ldc: i, variant: variant)
            }
        }
    }

    /// Fills the operand rows [x | 1 | ·] of every step and the h, c slots of step 0 from h0, c0 (or zeros).
    private static func fillOperands(_ x: UnsafePointer<Float>, h0: UnsafePointer<Float>?, c0: UnsafePointer<Float>?,
                                     _ saved: LSTMBuffers, _ s: LSTMShape) {
        let (h, i, w) = (s.hiddenSize, s.inputSize, s.operandWidth)
        for r in 0..<s.rows {
            (saved.operands + r * w).update(from: x + r * i, count: i)
            saved.operands[r * w + i] = 1
        }
        for n in 0..<s.batch {
            let (hSlot, cSlot) = (saved.operands + s.row(0, n) * w + i + 1, saved.cPrev + s.row(0, n) * h)
            if let h0 { hSlot.update(from: h0 + n * h, count: h) } else { hSlot.initialize(repeating: 0, count: h) }
            if let c0 { cSlot.update(from: c0 + n * h, count: h) } else { cSlot.initialize(repeating: 0, count: h) }
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
