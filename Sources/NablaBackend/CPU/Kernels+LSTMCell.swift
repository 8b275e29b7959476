/// The elementwise part of one LSTM step for one sequence, over its H hidden units, four lanes at a time.
///
/// Gate rows are laid out [i | f | g | o], H values each, as PyTorch stacks them. Products are written
/// `a * b + c`, not `addProduct`, which calls libm per lane on baseline x86-64. The gates use the rational
/// tanh and sigmoid (error below 4e-7): with exp-based ones, this pass took a third of a training step.
package enum LSTMCell {
    typealias Vector = SIMDMath.Vector

    /// Where the forward pass writes one sequence's results, H values each.
    struct Targets {
        let h: UnsafeMutablePointer<Float>
        /// A second place for h_t (the next step's hPrev row), or nil.
        let hCopy: UnsafeMutablePointer<Float>?
        let c: UnsafeMutablePointer<Float>
        let tanhC: UnsafeMutablePointer<Float>
    }

    /// What the backward pass reads for one sequence and step.
    struct Saved {
        let gates: UnsafePointer<Float>, cPrev: UnsafePointer<Float>, tanhC: UnsafePointer<Float>
    }

    /// Turns `gates` (pre-activations without bias) into σ(i), σ(f), tanh(g), σ(o) in place and computes
    /// c = f ⊙ c_prev + i ⊙ g, h = o ⊙ tanh(c).
    /// `native` holds a C variant's fast paths, which give the same bits with wider vectors, or is nil.
    @inline(__always)
    static func forward(gates: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>, cPrev: UnsafePointer<Float>,
                        _ out: Targets, _ h: Int, native: NativeKernels?) {
        if let native {
            native.lstmForward(gates, bias, cPrev, out.h, out.hCopy, out.c, out.tanhC, h)
            return
        }
        var j = 0
        // A constant 4 lets the compiler drop the partial-group branches from the main loop.
        while j + 4 <= h {
            forward(gates: gates, bias: bias, cPrev: cPrev, out, h, at: j, lanes: 4)
            j += 4
        }
        if j < h { forward(gates: gates, bias: bias, cPrev: cPrev, out, h, at: j, lanes: h - j) }
    }

    @inline(__always)
    private static func forward(gates: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>, cPrev: UnsafePointer<Float>,
                                _ out: Targets, _ h: Int, at j: Int, lanes: Int) {
        let i = SIMDMath.sigmoidRational(load(gates + j, lanes) + load(bias + j, lanes))
        let f = SIMDMath.sigmoidRational(load(gates + h + j, lanes) + load(bias + h + j, lanes))
        let g = SIMDMath.tanhRational(load(gates + 2 * h + j, lanes) + load(bias + 2 * h + j, lanes))
        let o = SIMDMath.sigmoidRational(load(gates + 3 * h + j, lanes) + load(bias + 3 * h + j, lanes))
        let c = f * load(cPrev + j, lanes) + i * g
        let tanhC = SIMDMath.tanhRational(c)
        let hidden = o * tanhC
        store(i, gates + j, lanes)
        store(f, gates + h + j, lanes)
        store(g, gates + 2 * h + j, lanes)
        store(o, gates + 3 * h + j, lanes)
        store(c, out.c + j, lanes)
        store(tanhC, out.tanhC + j, lanes)
        store(hidden, out.h + j, lanes)
        if let copy = out.hCopy { store(hidden, copy + j, lanes) }
    }

    /// One step back: with dh = gradH + dhLater (the output's gradient plus the recurrent one) and
    /// dc the gradient of c_t, writes the pre-activation gradients [di | df | dg | do] to `dGates`
    /// and leaves dc_{t−1} = dc ⊙ f in `dc`.
    @inline(__always)
    static func backward(_ saved: Saved, gradH: UnsafePointer<Float>, dhLater: UnsafePointer<Float>,
                         dc: UnsafeMutablePointer<Float>, dGates: UnsafeMutablePointer<Float>, _ h: Int, native: NativeKernels?) {
        if let native {
            native.lstmBackward(saved.gates, saved.cPrev, saved.tanhC, gradH, dhLater, dc, dGates, h)
            return
        }
        var j = 0
        while j + 4 <= h {
            backward(saved, gradH: gradH, dhLater: dhLater, dc: dc, dGates: dGates, h, at: j, lanes: 4)
            j += 4
        }
        if j < h { backward(saved, gradH: gradH, dhLater: dhLater, dc: dc, dGates: dGates, h, at: j, lanes: h - j) }
    }

    @inline(__always)
    private static func backward(_ saved: Saved, gradH: UnsafePointer<Float>, dhLater: UnsafePointer<Float>,
                                 dc: UnsafeMutablePointer<Float>, dGates: UnsafeMutablePointer<Float>,
                                 _ h: Int, at j: Int, lanes: Int) {
        let gates = saved.gates
        let (i, f) = (load(gates + j, lanes), load(gates + h + j, lanes))
        let (g, o) = (load(gates + 2 * h + j, lanes), load(gates + 3 * h + j, lanes))
        let tanhC = load(saved.tanhC + j, lanes)
        let dh = load(gradH + j, lanes) + load(dhLater + j, lanes)
        // dc_t gathers the direct path and the one through h = o ⊙ tanh(c): d tanh = 1 − tanh².
        let dcT = (dh * o) * (1 - tanhC * tanhC) + load(dc + j, lanes)
        // σ′ = σ(1 − σ), tanh′ = 1 − tanh².
        let di = (dcT * g) * (i - i * i)
        let df = (dcT * load(saved.cPrev + j, lanes)) * (f - f * f)
        let dg = (dcT * i) * (1 - g * g)
        let dOut = (dh * tanhC) * (o - o * o)
        store(dcT * f, dc + j, lanes)
        store(di, dGates + j, lanes)
        store(df, dGates + h + j, lanes)
        store(dg, dGates + 2 * h + j, lanes)
        store(dOut, dGates + 3 * h + j, lanes)
    }

    /// `lanes` (1 to 4) values, the rest zero: the last group of a row whose length is not a multiple of 4.
    @inline(__always)
    static func load(_ p: UnsafePointer<Float>, _ lanes: Int) -> Vector {
        // Four scalar loads compile to one unaligned vector load; `loadUnaligned` was left as a call.
        if lanes == 4 { return Vector(p[0], p[1], p[2], p[3]) }
        var v = Vector(repeating: 0)
        for k in 0..<lanes { v[k] = p[k] }
        return v
    }

    @inline(__always)
    static func load(_ p: UnsafeMutablePointer<Float>, _ lanes: Int) -> Vector { load(UnsafePointer(p), lanes) }

    @inline(__always)
    static func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>, _ lanes: Int) {
        if lanes == 4 {
            (p[0], p[1], p[2], p[3]) = (v[0], v[1], v[2], v[3])
            return
        }
        for k in 0..<lanes { p[k] = v[k] }
    }
}
