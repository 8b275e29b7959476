/// Layer normalization over rows of `width` contiguous values: each row's statistics in sixteen lanes
/// (`Lanes16`), rows split across cores; the weight and bias gradients sum over rows with the columns split
/// across cores, each column in row order, so no result depends on the split.
extension Kernels {
    package static func layerNormForward(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?,
                                         _ y: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>,
                                         invStd: UnsafeMutablePointer<Float>, rows: Int, width: Int, eps: Float) {
        Parallel.forEachChunk(count: rows, minChunk: Swift.max(1, parallelGrain / Swift.max(width, 1))) { r in
            for row in r {
                let (xs, ys) = (x + row * width, y + row * width)
                let m = rowTotal(xs, width, around: nil) / Float(width)
                let inverse = 1 / (rowTotal(xs, width, around: m) / Float(width) + eps).squareRoot()
                (mean[row], invStd[row]) = (m, inverse)
                switch (weight, bias) {
                case let (w?, b?): for j in 0..<width { ys[j] = (xs[j] - m) * inverse * w[j] + b[j] }
                case let (w?, nil): for j in 0..<width { ys[j] = (xs[j] - m) * inverse * w[j] }
                case let (nil, b?): for j in 0..<width { ys[j] = (xs[j] - m) * inverse + b[j] }
                case (nil, nil): for j in 0..<width { ys[j] = (xs[j] - m) * inverse }
                }
            }
        }
    }

    package static func layerNormBackward(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, weight: UnsafePointer<Float>?,
                                          mean: UnsafePointer<Float>, invStd: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?,
                                          dWeight: UnsafeMutablePointer<Float>?, dBias: UnsafeMutablePointer<Float>?, rows: Int,
                                          width: Int) {
        if let dx {
            Parallel.forEachChunk(count: rows, minChunk: Swift.max(1, parallelGrain / Swift.max(width, 1))) { r in
                for row in r {
                    layerNormInputGradient(x + row * width, g + row * width, weight, mean: mean[row], invStd: invStd[row],
                                           dx + row * width, width)
                }
            }
        }
        guard dWeight != nil || dBias != nil else { return }
        Parallel.forEachChunk(count: width, minChunk: Swift.max(16, parallelGrain / Swift.max(rows, 1))) { c in
            dWeight?.advanced(by: c.lowerBound).initialize(repeating: 0, count: c.count)
            dBias?.advanced(by: c.lowerBound).initialize(repeating: 0, count: c.count)
            for row in 0..<rows {
                let (xs, gs, m, inverse) = (x + row * width, g + row * width, mean[row], invStd[row])
                if let dWeight { for j in c { dWeight[j] += gs[j] * ((xs[j] - m) * inverse) } }
                if let dBias { for j in c { dBias[j] += gs[j] } }
            }
        }
    }

    /// dx = invStd·(ĝ − Σĝ/width − x̂·Σ(ĝ·x̂)/width) for one row, ĝ = g·weight and x̂ = (x − mean)·invStd.
    private static func layerNormInputGradient(_ xs: UnsafePointer<Float>, _ gs: UnsafePointer<Float>, _ weight: UnsafePointer<Float>?,
                                               mean m: Float, invStd inverse: Float, _ dx: UnsafeMutablePointer<Float>, _ width: Int) {
        let whole = width & ~15, rest = width - whole
        var sumScaled = Lanes16(repeating: 0), sumProduct = Lanes16(repeating: 0)
        @inline(__always) func add(_ xv: Lanes16, _ gv: Lanes16, _ wv: Lanes16?) {
            let scaled = wv.map { gv * $0 } ?? gv
            sumScaled = sumScaled + scaled
            sumProduct = sumProduct + scaled * ((xv - m) * inverse)
        }
        for j in stride(from: 0, to: whole, by: 16) { add(Lanes16(xs + j), Lanes16(gs + j), weight.map { Lanes16($0 + j) }) }
        if rest > 0 {
            // Padded lanes: g = 0, so they add nothing to either sum.
            add(Lanes16(xs + whole, count: rest, fill: m), Lanes16(gs + whole, count: rest, fill: 0),
                weight.map { Lanes16($0 + whole, count: rest, fill: 0) })
        }
        let meanScaled = sumScaled.sum() / Float(width), meanProduct = sumProduct.sum() / Float(width)
        if let weight {
            for j in 0..<width { dx[j] = inverse * (gs[j] * weight[j] - meanScaled - (xs[j] - m) * inverse * meanProduct) }
        } else {
            for j in 0..<width { dx[j] = inverse * (gs[j] - meanScaled - (xs[j] - m) * inverse * meanProduct) }
        }
    }

    /// Σ x over a row, or Σ (x − center)² when a center is given, in sixteen lanes (padding adds 0).
    @inline(__always)
    private static func rowTotal(_ xs: UnsafePointer<Float>, _ width: Int, around center: Float?) -> Float {
        let whole = width & ~15, rest = width - whole
        var totals = Lanes16(repeating: 0)
        for j in stride(from: 0, to: whole, by: 16) {
            let v = Lanes16(xs + j)
            if let center {
                let d = v - center
                totals = totals + d * d
            } else {
                totals = totals + v
            }
        }
        if rest > 0 {
            let v = Lanes16(xs + whole, count: rest, fill: center ?? 0)
            if let center {
                let d = v - center
                totals = totals + d * d
            } else {
                totals = totals + v
            }
        }
        return totals.sum()
    }
}
