import Foundation

/// Reductions along one axis of a tensor viewed as [outer, n, inner].
extension Kernels {
    /// out[o, i] = Σ_j x[o, j, i]
    package static func sum(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, outer: Int, n: Int, inner: Int) {
        if inner == 1 {
            Parallel.forEachChunk(count: outer, minChunk: Swift.max(1, parallelGrain / Swift.max(n, 1))) { r in
                for o in r { out[o] = rowSum(x + o * n, n) }
            }
            return
        }
        Parallel.forEachChunk(count: outer, minChunk: Swift.max(1, parallelGrain / Swift.max(n * inner, 1))) { r in
            for o in r {
                let dst = out + o * inner
                dst.initialize(repeating: 0, count: inner)
                for j in 0..<n {
                    let src = x + (o * n + j) * inner
                    for i in 0..<inner { dst[i] += src[i] }
                }
            }
        }
    }

    /// A sum in eight independent lanes, then combined: vectorizes and loses less precision than one accumulator.
    @inline(__always) static func rowSum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD8<Float>(repeating: 0)
        var j = 0
        while j + 8 <= n {
            acc += UnsafeRawPointer(x + j).loadUnaligned(as: SIMD8<Float>.self)
            j += 8
        }
        var total = acc.sum()
        while j < n {
            total += x[j]
            j += 1
        }
        return total
    }

    /// out[o, i] = max_j x[o, j, i]; index[o, i] = the first j attaining it (NaN wins, as in PyTorch).
    package static func max(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ index: UnsafeMutablePointer<Int32>,
                    outer: Int, n: Int, inner: Int) {
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * n * inner + i
                var best = x[base]
                var bestJ = 0
                var j = 1
                while j < n && !best.isNaN {
                    let v = x[base + j * inner]
                    if v > best || v.isNaN {
                        best = v
                        bestJ = j
                    }
                    j += 1
                }
                out[o * inner + i] = best
                index[o * inner + i] = Int32(bestJ)
            }
        }
    }

    /// dx[o, index[o, i], i] = g[o, i], zeros elsewhere.
    package static func maxBackward(_ g: UnsafePointer<Float>, _ index: UnsafePointer<Int32>, _ dx: UnsafeMutablePointer<Float>,
                            outer: Int, n: Int, inner: Int) {
        dx.initialize(repeating: 0, count: outer * n * inner)
        for o in 0..<outer {
            for i in 0..<inner {
                dx[(o * n + Int(index[o * inner + i])) * inner + i] = g[o * inner + i]
            }
        }
    }
}
