import Foundation

/// Reductions and movement, one element at a time.
extension ReferenceBackend {
    package static func sum(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, outer: Int, n: Int, inner: Int) {
        for o in 0..<outer {
            for i in 0..<inner {
                var total = 0.0
                for j in 0..<n { total += Double(x[(o * n + j) * inner + i]) }
                out[o * inner + i] = Float(total)
            }
        }
    }

    package static func max(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, index: UnsafeMutablePointer<Int32>,
                     outer: Int, n: Int, inner: Int) {
        for o in 0..<outer {
            for i in 0..<inner {
                var best = x[o * n * inner + i], at = 0
                for j in 1..<Swift.max(n, 1) where !best.isNaN {
                    let v = x[(o * n + j) * inner + i]
                    if v > best || v.isNaN { (best, at) = (v, j) }
                }
                out[o * inner + i] = best
                index[o * inner + i] = Int32(at)
            }
        }
    }

    package static func maxBackward(_ g: UnsafePointer<Float>, index: UnsafePointer<Int32>, _ dx: UnsafeMutablePointer<Float>,
                             outer: Int, n: Int, inner: Int) {
        for o in 0..<outer {
            for j in 0..<n {
                for i in 0..<inner { dx[(o * n + j) * inner + i] = Int(index[o * inner + i]) == j ? g[o * inner + i] : 0 }
            }
        }
    }

    package static func softmax(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, outer: Int, n: Int, inner: Int, log: Bool) {
        for o in 0..<outer {
            for i in 0..<inner {
                let at = { (j: Int) in (o * n + j) * inner + i }
                var peak = -Double.infinity
                for j in 0..<n { peak = Swift.max(peak, Double(x[at(j)])) }
                if !peak.isFinite { peak = 0 }
                var total = 0.0
                for j in 0..<n { total += Foundation.exp(Double(x[at(j)]) - peak) }
                for j in 0..<n {
                    let shifted = Double(x[at(j)]) - peak
                    y[at(j)] = Float(log ? shifted - Foundation.log(total) : Foundation.exp(shifted) / total)
                }
            }
        }
    }

    package static func softmaxBackward(_ y: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                                        outer: Int, n: Int, inner: Int, log: Bool) {
        for o in 0..<outer {
            for i in 0..<inner {
                let at = { (j: Int) in (o * n + j) * inner + i }
                var total = 0.0
                for j in 0..<n { total += log ? Double(g[at(j)]) : Double(g[at(j)]) * Double(y[at(j)]) }
                for j in 0..<n {
                    let (gj, yj) = (Double(g[at(j)]), Double(y[at(j)]))
                    dx[at(j)] = Float(log ? gj - Foundation.exp(yj) * total : yj * (gj - total))
                }
            }
        }
    }

    package static func sumBroadcast(_ src: UnsafePointer<Float>, shape: [Int], into dst: UnsafeMutablePointer<Float>, strides: [Int]) {
        guard !shape.contains(0) else { return }
        // dst spans the offsets 0…Σ (size − 1)·stride; sum into Double copies of them.
        let span = zip(shape, strides).reduce(1) { $0 + ($1.0 - 1) * $1.1 }
        var sums = (0..<span).map { Double(dst[$0]) }
        Self.forEachIndex(shape) { i, index in sums[Self.offset(index, strides)] += Double(src[i]) }
        for (i, total) in sums.enumerated() { dst[i] = Float(total) }
    }

    // MARK: - Movement

    package static func stridedRead(_ src: UnsafePointer<Float>, offset: Int, strides: [Int], _ dst: UnsafeMutablePointer<Float>, shape: [Int]) {
        Self.forEachIndex(shape) { i, index in dst[i] = src[offset + Self.offset(index, strides)] }
    }

    package static func stridedWrite(_ src: UnsafePointer<Float>, shape: [Int], _ dst: UnsafeMutablePointer<Float>, offset: Int, strides: [Int]) {
        Self.forEachIndex(shape) { i, index in dst[offset + Self.offset(index, strides)] = src[i] }
    }

    package static func indexSelect(_ x: UnsafePointer<Float>, index: [Int32], _ out: UnsafeMutablePointer<Float>, outer: Int, n: Int, inner: Int) {
        for o in 0..<outer {
            for (k, source) in index.enumerated() {
                for i in 0..<inner { out[(o * index.count + k) * inner + i] = x[(o * n + Int(source)) * inner + i] }
            }
        }
    }

    package static func indexAdd(_ g: UnsafePointer<Float>, index: [Int32], _ dx: UnsafeMutablePointer<Float>, outer: Int, n: Int, inner: Int) {
        for e in 0..<(outer * n * inner) { dx[e] = 0 }
        for o in 0..<outer {
            for (k, target) in index.enumerated() {
                for i in 0..<inner { dx[(o * n + Int(target)) * inner + i] += g[(o * index.count + k) * inner + i] }
            }
        }
    }

    package static func gather(_ x: UnsafePointer<Float>, xShape: [Int], index: [Int32], indexShape: [Int], axis: Int,
                        _ out: UnsafeMutablePointer<Float>) {
        let xStrides = Self.strides(xShape)
        Self.forEachIndex(indexShape) { p, position in
            var source = position
            source[axis] = Int(index[p])
            out[p] = x[Self.offset(source, xStrides)]
        }
    }

    package static func scatterAdd(_ g: UnsafePointer<Float>, xShape: [Int], index: [Int32], indexShape: [Int], axis: Int,
                            _ dx: UnsafeMutablePointer<Float>) {
        for e in 0..<xShape.reduce(1, *) { dx[e] = 0 }
        let xStrides = Self.strides(xShape)
        Self.forEachIndex(indexShape) { p, position in
            var source = position
            source[axis] = Int(index[p])
            dx[Self.offset(source, xStrides)] += g[p]
        }
    }
}
