/// Batch normalization over [N, C, S] buffers, one channel at a time, channels split across cores. Under a SIMD
/// variant, the C kernels of Kernels+NormalizationNative.swift run instead, with the same bits.
extension ChannelLayout {
    /// Calls `body` with the start of each of channel `c`'s `batch` contiguous runs of `spatial` values.
    @inline(__always)
    func forEachRun(of c: Int, _ body: (Int) -> Void) {
        for n in 0..<batch { body((n * channels + c) * spatial) }
    }
}

extension Kernels {
    /// Per-channel mean and biased variance, both passes summed in Double.
    package static func channelStatistics(_ x: UnsafePointer<Float>, _ layout: ChannelLayout,
                                  mean: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>) {
        if let native = NativeKernels.current { return channelStatistics(native, x, layout, mean: mean, variance: variance) }
        forEachChannel(layout) { c in
            var total = 0.0
            layout.forEachRun(of: c) { start in total += Double(rowSum(x + start, layout.spatial)) }
            let m = total / Double(layout.perChannel)
            var squares = 0.0
            layout.forEachRun(of: c) { start in squares += squaredDeviation(x + start, layout.spatial, from: Float(m)) }
            mean[c] = Float(m)
            variance[c] = Float(squares / Double(layout.perChannel))
        }
    }

    /// y = x·scale[c] + shift[c].
    package static func channelAffine(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ layout: ChannelLayout,
                              scale: UnsafePointer<Float>, shift: UnsafePointer<Float>) {
        if let native = NativeKernels.current { return channelAffine(native, x, y, layout, scale: scale, shift: shift) }
        forEachChannel(layout) { c in
            let a = scale[c], b = shift[c]
            layout.forEachRun(of: c) { start in
                for i in start..<(start + layout.spatial) { y[i] = x[i] * a + b }
            }
        }
    }

    /// With x̂ = (x − mean)·invStd: dbias = Σ g, dweight = Σ g·x̂ and
    /// dx = weight·invStd·(g − Σg/M − x̂·Σ(g·x̂)/M), over the M values of each channel.
    package static func batchNormBackward(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ layout: ChannelLayout,
                                  mean: UnsafePointer<Float>, invStd: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                  dx: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>,
                                  dBias: UnsafeMutablePointer<Float>) {
        if let native = NativeKernels.current {
            return batchNormBackward(native, x, g, layout, mean: mean, invStd: invStd, weight: weight, dx: dx, dWeight: dWeight,
                                     dBias: dBias)
        }
        forEachChannel(layout) { c in
            let (sumG, sumGX) = gradientSums(of: c, x, g, layout, mean: mean[c])
            dBias[c] = Float(sumG)
            dWeight[c] = Float(sumGX * Double(invStd[c]))
            guard let dx else { return }
            inputGradient(of: c, x, g, layout, mean: mean[c], invStd: invStd[c], weight: weight[c], sumG: sumG, sumGX: sumGX,
                          count: Double(layout.perChannel), dx: dx)
        }
    }

    /// Σ g and Σ g·(x − mean) of each channel, in Double.
    package static func batchNormGradientSums(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ layout: ChannelLayout,
                                      mean: UnsafePointer<Float>, sumG: UnsafeMutablePointer<Double>,
                                      sumGX: UnsafeMutablePointer<Double>) {
        if let native = NativeKernels.current {
            return batchNormGradientSums(native, x, g, layout, mean: mean, sumG: sumG, sumGX: sumGX)
        }
        forEachChannel(layout) { c in (sumG[c], sumGX[c]) = gradientSums(of: c, x, g, layout, mean: mean[c]) }
    }

    /// dx from the sums of `batchNormGradientSums` over `count` values per channel.
    package static func batchNormInputGradient(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ layout: ChannelLayout,
                                       mean: UnsafePointer<Float>, invStd: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                       sumG: UnsafePointer<Double>, sumGX: UnsafePointer<Double>, count: Double,
                                       dx: UnsafeMutablePointer<Float>) {
        if let native = NativeKernels.current {
            return batchNormInputGradient(native, x, g, layout, mean: mean, invStd: invStd, weight: weight, sumG: sumG, sumGX: sumGX,
                                          count: count, dx: dx)
        }
        forEachChannel(layout) { c in
            inputGradient(of: c, x, g, layout, mean: mean[c], invStd: invStd[c], weight: weight[c], sumG: sumG[c], sumGX: sumGX[c],
                          count: count, dx: dx)
        }
    }

    @inline(__always)
    private static func gradientSums(of c: Int, _ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ layout: ChannelLayout,
                                     mean m: Float) -> (Double, Double) {
        var sumG = 0.0, sumGX = 0.0
        layout.forEachRun(of: c) { start in
            sumG += Double(rowSum(g + start, layout.spatial))
            sumGX += Double(centeredDot(g + start, x + start, layout.spatial, from: m))
        }
        return (sumG, sumGX)
    }

    @inline(__always)
    private static func inputGradient(of c: Int, _ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ layout: ChannelLayout,
                                      mean m: Float, invStd r: Float, weight: Float, sumG: Double, sumGX: Double, count: Double,
                                      dx: UnsafeMutablePointer<Float>) {
        let k = weight * r, meanG = Float(sumG / count), meanGX = Float(sumGX * Double(r) / count)
        layout.forEachRun(of: c) { start in
            for i in start..<(start + layout.spatial) { dx[i] = k * (g[i] - meanG - (x[i] - m) * r * meanGX) }
        }
    }

    private static func forEachChannel(_ layout: ChannelLayout, _ body: (Int) -> Void) {
        forEachChannelChunk(layout) { for c in $0 { body(c) } }
    }

    /// The channels split across cores, about `parallelGrain` values a chunk at least.
    static func forEachChannelChunk(_ layout: ChannelLayout, _ body: (Range<Int>) -> Void) {
        Parallel.forEachChunk(count: layout.channels, minChunk: Swift.max(1, parallelGrain / Swift.max(layout.perChannel, 1)), body)
    }

    /// Σ (x − m)², eight lanes at a time.
    @inline(__always)
    private static func squaredDeviation(_ x: UnsafePointer<Float>, _ n: Int, from m: Float) -> Double {
        var acc = SIMD8<Float>(repeating: 0)
        var i = 0
        while i + 8 <= n {
            let d = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self) - m
            acc = d * d + acc
            i += 8
        }
        var total = Double(acc.sum())
        while i < n {
            let d = x[i] - m
            total += Double(d * d)
            i += 1
        }
        return total
    }

    /// Σ g·(x − m), eight lanes at a time.
    @inline(__always)
    private static func centeredDot(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int, from m: Float) -> Double {
        var acc = SIMD8<Float>(repeating: 0)
        var i = 0
        while i + 8 <= n {
            let d = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self) - m
            acc = UnsafeRawPointer(g + i).loadUnaligned(as: SIMD8<Float>.self) * d + acc
            i += 8
        }
        var total = Double(acc.sum())
        while i < n {
            total += Double(g[i] * (x[i] - m))
            i += 1
        }
        return total
    }
}
