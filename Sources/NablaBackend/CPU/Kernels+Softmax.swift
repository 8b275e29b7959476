import Foundation

/// Softmax and log-softmax along the middle axis of [outer, n, inner], forward and backward, each one kernel.
/// Rows along the last axis (inner = 1) run sixteen lanes at a time (`Lanes16`), or through the C variant of
/// `NativeKernels`, which reproduces these loops bit for bit; other axes run strided scalar loops.
extension Kernels {
    /// y = e^(x − m) / Σ e^(x − m), or its logarithm (x − m) − log Σ e^(x − m), with m the row's maximum
    /// (0 when it is not finite).
    package static func softmax(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, outer: Int, n: Int, inner: Int, log: Bool) {
        let native = NativeKernels.current?.softmaxRows
        Parallel.forEachChunk(count: outer, minChunk: Swift.max(1, parallelGrain / Swift.max(n * inner, 1))) { r in
            if inner > 1 { return softmaxStrided(x, y, rows: r, n: n, inner: inner, log: log) }
            if let native { return native(x + r.lowerBound * n, y + r.lowerBound * n, r.count, n, log ? 1 : 0) }
            for o in r { softmaxRow(x + o * n, y + o * n, n, log: log) }
        }
    }

    /// The gradient from the output y: dx = g − e^y·Σ g for log-softmax, dx = y·(g − Σ g·y) for softmax.
    package static func softmaxBackward(_ y: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                                        outer: Int, n: Int, inner: Int, log: Bool) {
        let native = NativeKernels.current?.softmaxBackwardRows
        Parallel.forEachChunk(count: outer, minChunk: Swift.max(1, parallelGrain / Swift.max(n * inner, 1))) { r in
            if inner > 1 { return softmaxBackwardStrided(y, g, dx, rows: r, n: n, inner: inner, log: log) }
            if let native {
                let start = r.lowerBound * n
                return native(y + start, g + start, dx + start, r.count, n, log ? 1 : 0)
            }
            for o in r { softmaxBackwardRow(y + o * n, g + o * n, dx + o * n, n, log: log) }
        }
    }

    // MARK: Rows (inner = 1), the definition the C variants port

    private static func softmaxRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, log: Bool) {
        let whole = n & ~15, rest = n - whole
        var peaks = Lanes16(repeating: -.infinity)
        for j in stride(from: 0, to: whole, by: 16) { peaks = .keepingLarger(peaks, Lanes16(x + j)) }
        if rest > 0 { peaks = .keepingLarger(peaks, Lanes16(x + whole, count: rest, fill: -.infinity)) }
        var m = peaks.max()
        if !m.isFinite { m = 0 }
        var totals = Lanes16(repeating: 0)
        for j in stride(from: 0, to: whole, by: 16) {
            let e = (Lanes16(x + j) - m).map(SIMDMath.exp)
            if !log { e.store(y + j) }
            totals = totals + e
        }
        if rest > 0 {
            let e = (Lanes16(x + whole, count: rest, fill: 0) - m).map(SIMDMath.exp).keeping(rest)
            if !log { e.store(y + whole, count: rest) }
            totals = totals + e
        }
        let total = totals.sum()
        if log {
            let logTotal = Foundation.log(total)
            for j in stride(from: 0, to: whole, by: 16) { ((Lanes16(x + j) - m) - logTotal).store(y + j) }
            if rest > 0 { ((Lanes16(x + whole, count: rest, fill: 0) - m) - logTotal).store(y + whole, count: rest) }
        } else {
            let inverse = 1 / total
            for j in stride(from: 0, to: whole, by: 16) { (Lanes16(y + j) * inverse).store(y + j) }
            if rest > 0 { (Lanes16(y + whole, count: rest, fill: 0) * inverse).store(y + whole, count: rest) }
        }
    }

    private static func softmaxBackwardRow(_ y: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                                           _ n: Int, log: Bool) {
        let whole = n & ~15, rest = n - whole
        // Σ g (log-softmax) or Σ g·y (softmax); padded lanes hold 0.
        var totals = Lanes16(repeating: 0)
        for j in stride(from: 0, to: whole, by: 16) {
            totals = totals + (log ? Lanes16(g + j) : Lanes16(g + j) * Lanes16(y + j))
        }
        if rest > 0 {
            let gs = Lanes16(g + whole, count: rest, fill: 0)
            totals = totals + (log ? gs : gs * Lanes16(y + whole, count: rest, fill: 0))
        }
        let s = totals.sum()
        @inline(__always) func gradient(_ ys: Lanes16, _ gs: Lanes16) -> Lanes16 {
            log ? gs - ys.map(SIMDMath.exp) * Lanes16(repeating: s) : ys * (gs - s)
        }
        for j in stride(from: 0, to: whole, by: 16) { gradient(Lanes16(y + j), Lanes16(g + j)).store(dx + j) }
        if rest > 0 {
            gradient(Lanes16(y + whole, count: rest, fill: 0), Lanes16(g + whole, count: rest, fill: 0)).store(dx + whole, count: rest)
        }
    }

    // MARK: Other axes

    private static func softmaxStrided(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Range<Int>, n: Int,
                                       inner: Int, log: Bool) {
        for o in rows {
            for i in 0..<inner {
                let base = o * n * inner + i
                var m = -Float.infinity
                for j in 0..<n where x[base + j * inner] >= m { m = x[base + j * inner] }
                if !m.isFinite { m = 0 }
                var total: Float = 0
                for j in 0..<n {
                    let e = Foundation.exp(x[base + j * inner] - m)
                    y[base + j * inner] = e
                    total += e
                }
                if log {
                    let logTotal = Foundation.log(total)
                    for j in 0..<n { y[base + j * inner] = (x[base + j * inner] - m) - logTotal }
                } else {
                    let inverse = 1 / total
                    for j in 0..<n { y[base + j * inner] *= inverse }
                }
            }
        }
    }

    private static func softmaxBackwardStrided(_ y: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                                               rows: Range<Int>, n: Int, inner: Int, log: Bool) {
        for o in rows {
            for i in 0..<inner {
                let base = o * n * inner + i
                var s: Float = 0
                for j in 0..<n { s += log ? g[base + j * inner] : g[base + j * inner] * y[base + j * inner] }
                for j in 0..<n {
                    let at = base + j * inner
                    dx[at] = log ? g[at] - Foundation.exp(y[at]) * s : y[at] * (g[at] - s)
                }
            }
        }
    }
}
