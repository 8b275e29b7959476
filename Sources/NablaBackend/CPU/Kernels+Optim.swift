import NablaKernelsC

/// The optimizer updates, one pass over a parameter's buffers each. Updates are elementwise, so
/// splitting them across cores changes no result; the loops keep PyTorch's operation order (no
/// fused multiply-add), so that the goldens match to the last bit where PyTorch's do. Under a SIMD
/// variant each update runs through its C kernel (`NativeKernels`), which keeps the same order and bits.
extension Kernels {
    package static func sgdStep(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                                momentumBuffer: UnsafeMutablePointer<Float>?, count n: Int, _ c: SGDStep) {
        if let native = NativeKernels.current {
            sgdStepNative(native.sgd, p, g, momentumBuffer, n, c)
            return
        }
        let negLR = c.negativeLearningRate, hasDecay = c.weightDecay != nil, decay = c.weightDecay ?? 0
        guard let buf = momentumBuffer else {
            Parallel.forEachChunk(count: n, minChunk: parallelGrain) { range in
                for i in range {
                    let d = hasDecay ? g[i] + decay * p[i] : g[i]
                    p[i] = p[i] + negLR * d
                }
            }
            return
        }
        let (mu, keep, nesterov, created) = (c.momentum, c.keep, c.nesterov, c.firstStep)
        Parallel.forEachChunk(count: n, minChunk: parallelGrain) { range in
            for i in range {
                let d = hasDecay ? g[i] + decay * p[i] : g[i]
                // PyTorch seeds the buffer with the (decayed) gradient itself on the first step.
                let b = created ? d : buf[i] * mu + keep * d
                buf[i] = b
                let direction = nesterov ? d + mu * b : b
                p[i] = p[i] + negLR * direction
            }
        }
    }

    package static func adaGradStep(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, sum: UnsafeMutablePointer<Float>,
                                    count n: Int, _ c: AdaGradStep) {
        if let native = NativeKernels.current {
            adaGradStepNative(native.adaGrad, p, g, sum, n, c)
            return
        }
        let negCLR = c.negativeLearningRate, hasDecay = c.weightDecay != nil, decay = c.weightDecay ?? 0, epsilon = c.eps
        Parallel.forEachChunk(count: n, minChunk: parallelGrain) { range in
            for i in range {
                let d = hasDecay ? g[i] + decay * p[i] : g[i]
                let s = sum[i] + d * d
                sum[i] = s
                p[i] = p[i] + negCLR * d / (s.squareRoot() + epsilon)
            }
        }
    }

    package static func rmsPropStep(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                                    squareAvg: UnsafeMutablePointer<Float>, gradAvg: UnsafeMutablePointer<Float>?,
                                    momentumBuffer buf: UnsafeMutablePointer<Float>?, count n: Int, _ c: RMSPropStep) {
        if let native = NativeKernels.current {
            rmsPropStepNative(native.rmsProp, p, g, squareAvg, gradAvg, buf, n, c)
            return
        }
        let hasDecay = c.weightDecay != nil, decay = c.weightDecay ?? 0
        let (a, oneMinusA, epsilon, negLR, mu) = (c.alpha, c.oneMinusAlpha, c.eps, c.negativeLearningRate, c.momentum)
        Parallel.forEachChunk(count: n, minChunk: parallelGrain) { range in
            for i in range {
                let d = hasDecay ? g[i] + decay * p[i] : g[i]
                let v = squareAvg[i] * a + oneMinusA * d * d
                squareAvg[i] = v
                var avg: Float
                if let gradAvg {
                    let m = lerpLikeTorch(gradAvg[i], d, weight: oneMinusA)
                    gradAvg[i] = m
                    avg = (v - m * m).squareRoot()
                } else {
                    avg = v.squareRoot()
                }
                avg = avg + epsilon
                if let buf {
                    let b = buf[i] * mu + d / avg
                    buf[i] = b
                    p[i] = p[i] + negLR * b
                } else {
                    p[i] = p[i] + negLR * d / avg
                }
            }
        }
    }

    package static func adamStep(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, expAvg: UnsafeMutablePointer<Float>,
                                 expAvgSq: UnsafeMutablePointer<Float>, maxExpAvgSq: UnsafeMutablePointer<Float>?,
                                 count n: Int, _ c: AdamStep) {
        let (w1, b2, w2, bc2Sqrt) = (c.oneMinusBeta1, c.beta2, c.oneMinusBeta2, c.biasCorrection2Sqrt)
        let (epsilon, negStepSize, shrink) = (c.eps, c.negativeStepSize, c.shrink)
        let coupled = c.weightDecay != nil, decay = c.weightDecay ?? 0
        if let native = NativeKernels.current {
            adamStepNative(native.adam, p, g, expAvg, expAvgSq, maxExpAvgSq, n, c)
            return
        }
        let start = maxExpAvgSq == nil && shrink == nil ? adamStepVectorized(p, g, expAvg, expAvgSq, n, c) : 0
        for i in start..<n {
            var x = p[i]
            if let shrink { x = x * shrink }
            let d = coupled ? g[i] + decay * x : g[i]
            let m = lerpLikeTorch(expAvg[i], d, weight: w1)
            expAvg[i] = m
            var v = expAvgSq[i] * b2 + w2 * d * d
            expAvgSq[i] = v
            if let maxExpAvgSq {
                v = Swift.max(maxExpAvgSq[i], v)
                maxExpAvgSq[i] = v
            }
            let denom = v.squareRoot() / bc2Sqrt + epsilon
            p[i] = x + negStepSize * m / denom
        }
    }

    /// The loop above without AMSGrad or decoupled decay, four lanes at a time: the same operations
    /// in the same order (no fused multiply-add), so results are bit-identical. Returns how many it did.
    private static func adamStepVectorized(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                                           _ expAvg: UnsafeMutablePointer<Float>, _ expAvgSq: UnsafeMutablePointer<Float>,
                                           _ n: Int, _ c: AdamStep) -> Int {
        typealias V = SIMD4<Float>
        let (w1, b2, w2, bc2Sqrt, epsilon, negStepSize) = (c.oneMinusBeta1, c.beta2, c.oneMinusBeta2, c.biasCorrection2Sqrt,
                                                           c.eps, c.negativeStepSize)
        // lerpLikeTorch's branch depends only on the weight, so it is taken once here.
        let nearStart = Swift.abs(w1) < 0.5, oneMinusW1 = 1 - w1
        let decay = c.weightDecay
        let vectors = n / 4
        @inline(__always) func step(_ i: Int) {
            let x = UnsafeRawPointer(p + i).loadUnaligned(as: V.self)
            let grad = UnsafeRawPointer(g + i).loadUnaligned(as: V.self)
            let d = decay.map { grad + $0 * x } ?? grad
            let e = UnsafeRawPointer(expAvg + i).loadUnaligned(as: V.self)
            let m = nearStart ? e + w1 * (d - e) : d - (d - e) * oneMinusW1
            let v = UnsafeRawPointer(expAvgSq + i).loadUnaligned(as: V.self) * b2 + w2 * d * d
            UnsafeMutableRawPointer(expAvg + i).storeBytes(of: m, as: V.self)
            UnsafeMutableRawPointer(expAvgSq + i).storeBytes(of: v, as: V.self)
            let denom = SIMDMath.squareRoot(v) / bc2Sqrt + epsilon
            UnsafeMutableRawPointer(p + i).storeBytes(of: x + negStepSize * m / denom, as: V.self)
        }
        Parallel.forEachChunk(count: vectors, minChunk: 1 << 13) { r in
            for v in r { step(4 * v) }
        }
        return 4 * vectors
    }

    /// The whole update, AMSGrad and both decays included, through a C variant: the operations of the
    /// loop above in the same order, so the same bits, eight or sixteen lanes at a time.
    private static func adamStepNative(_ kernel: NativeKernels.Adam, _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                                       _ expAvg: UnsafeMutablePointer<Float>, _ expAvgSq: UnsafeMutablePointer<Float>,
                                       _ maxExpAvgSq: UnsafeMutablePointer<Float>?, _ n: Int, _ c: AdamStep) {
        var constants = NablaAdamConstants(
            oneMinusBeta1: c.oneMinusBeta1, beta2: c.beta2, oneMinusBeta2: c.oneMinusBeta2, biasCorrection2Sqrt: c.biasCorrection2Sqrt,
            eps: c.eps, negativeStepSize: c.negativeStepSize, weightDecay: c.weightDecay ?? 0, shrink: c.shrink ?? 1,
            coupled: c.weightDecay == nil ? 0 : 1, shrinks: c.shrink == nil ? 0 : 1)
        withUnsafePointer(to: &constants) { constants in
            Parallel.forEachChunk(count: n, minChunk: 1 << 15) { r in
                let i = r.lowerBound
                kernel(p + i, g + i, expAvg + i, expAvgSq + i, maxExpAvgSq.map { $0 + i }, r.count, constants)
            }
        }
    }

    /// The SGD update through a C variant, with or without momentum and decay: the operations of `sgdStep`'s
    /// loops in the same order, so the same bits, eight or sixteen lanes at a time.
    private static func sgdStepNative(_ kernel: NativeKernels.SGD, _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                                      _ buf: UnsafeMutablePointer<Float>?, _ n: Int, _ c: SGDStep) {
        var constants = NablaSGDConstants(
            negativeLearningRate: c.negativeLearningRate, weightDecay: c.weightDecay ?? 0, momentum: c.momentum, keep: c.keep,
            decays: c.weightDecay == nil ? 0 : 1, nesterov: c.nesterov ? 1 : 0, firstStep: c.firstStep ? 1 : 0)
        withUnsafePointer(to: &constants) { constants in
            Parallel.forEachChunk(count: n, minChunk: parallelGrain) { r in
                let i = r.lowerBound
                kernel(p + i, g + i, buf.map { $0 + i }, r.count, constants)
            }
        }
    }

    /// The AdaGrad update through a C variant: `adaGradStep`'s operations in the same order, so the same bits.
    private static func adaGradStepNative(_ kernel: NativeKernels.AdaGrad, _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                                          _ sum: UnsafeMutablePointer<Float>, _ n: Int, _ c: AdaGradStep) {
        var constants = NablaAdaGradConstants(negativeLearningRate: c.negativeLearningRate, weightDecay: c.weightDecay ?? 0,
                                              eps: c.eps, decays: c.weightDecay == nil ? 0 : 1)
        withUnsafePointer(to: &constants) { constants in
            Parallel.forEachChunk(count: n, minChunk: parallelGrain) { r in
                let i = r.lowerBound
                kernel(p + i, g + i, sum + i, r.count, constants)
            }
        }
    }

    /// The RMSProp update through a C variant, centered or not, with or without momentum and decay:
    /// `rmsPropStep`'s operations in the same order, so the same bits.
    private static func rmsPropStepNative(_ kernel: NativeKernels.RMSProp, _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                                          _ squareAvg: UnsafeMutablePointer<Float>, _ gradAvg: UnsafeMutablePointer<Float>?,
                                          _ buf: UnsafeMutablePointer<Float>?, _ n: Int, _ c: RMSPropStep) {
        var constants = NablaRMSPropConstants(
            alpha: c.alpha, oneMinusAlpha: c.oneMinusAlpha, eps: c.eps, negativeLearningRate: c.negativeLearningRate,
            momentum: c.momentum, weightDecay: c.weightDecay ?? 0, decays: c.weightDecay == nil ? 0 : 1)
        withUnsafePointer(to: &constants) { constants in
            Parallel.forEachChunk(count: n, minChunk: parallelGrain) { r in
                let i = r.lowerBound
                kernel(p + i, g + i, squareAvg + i, gradAvg.map { $0 + i }, buf.map { $0 + i }, r.count, constants)
            }
        }
    }
}
