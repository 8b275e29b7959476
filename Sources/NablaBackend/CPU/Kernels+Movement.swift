/// Copies between contiguous buffers and strided views: the engine behind permute, expand,
/// slice, pad and concat, forward and backward.
extension Kernels {
    /// dst[i] = src[offset + Σ_d index_d(i)·strides[d]] for every i of the contiguous `shape`.
    package static func stridedRead(_ src: UnsafePointer<Float>, offset: Int, strides: [Int],
                            _ dst: UnsafeMutablePointer<Float>, shape: [Int]) {
        walk(shape: shape, strides: strides) { rowDst, rowSrc, inner, step in
            let s = src + offset + rowSrc
            let d = dst + rowDst
            if step == 1 {
                d.update(from: s, count: inner)
            } else if step == 0 {
                d.update(repeating: s[0], count: inner)
            } else {
                for i in 0..<inner { d[i] = s[i * step] }
            }
        }
    }

    /// dst[offset + Σ index·strides] = src[i] for every i of the contiguous `shape`.
    package static func stridedWrite(_ src: UnsafePointer<Float>, shape: [Int], _ dst: UnsafeMutablePointer<Float>,
                             offset: Int, strides: [Int]) {
        walk(shape: shape, strides: strides) { rowSrc, rowDst, inner, step in
            let s = src + rowSrc
            let d = dst + offset + rowDst
            if step == 1 {
                d.update(from: s, count: inner)
            } else {
                for i in 0..<inner { d[i * step] = s[i] }
            }
        }
    }

    /// dst[strided position] += src[i] over a contiguous `src` of `shape`: the reduction behind a
    /// broadcast's gradient, where `strides` are 0 along the broadcast dimensions.
    package static func sumBroadcast(_ src: UnsafePointer<Float>, shape: [Int], into dst: UnsafeMutablePointer<Float>, strides: [Int]) {
        let (merged, mergedStrides) = coalesced(shape, [Shape.strides(shape), strides])
        if merged.count == 2, mergedStrides[1] == [0, 1], Shape.count(merged) >= 2 * parallelGrain {
            return sumRows(src, rows: merged[0], columns: merged[1], into: dst)
        }
        walk(shape: merged, strides: mergedStrides[1]) { rowSrc, rowDst, inner, step in
            let s = src + rowSrc, d = dst + rowDst
            switch step {
            case 0: d[0] += rowSum(s, inner)
            case 1: for i in 0..<inner { d[i] += s[i] }
            default: for i in 0..<inner { d[i * step] += s[i] }
            }
        }
    }

    /// dst[j] += Σ_r src[r, j], the gradient of a bias broadcast over rows: columns split across cores, each
    /// column summed over the rows in order, as the walk above sums it, so the bits do not depend on the split.
    private static func sumRows(_ src: UnsafePointer<Float>, rows: Int, columns: Int, into dst: UnsafeMutablePointer<Float>) {
        Parallel.forEachChunk(count: columns, minChunk: Swift.max(16, parallelGrain / rows)) { r in
            let d = dst + r.lowerBound
            for row in 0..<rows {
                let s = src + row * columns + r.lowerBound
                for i in 0..<r.count { d[i] += s[i] }
            }
        }
    }

    /// Visits `shape` row by row (rows of its last dimension), giving the contiguous offset of
    /// the row, the strided offset of the row, the row length and the stride within the row.
    @inline(__always)
    private static func walk(shape: [Int], strides: [Int], _ body: (Int, Int, Int, Int) -> Void) {
        let n = Shape.count(shape)
        guard n > 0 else { return }
        guard let inner = shape.last else {
            body(0, 0, 1, 1)
            return
        }
        let rank = shape.count
        let step = strides[rank - 1]
        var index = [Int](repeating: 0, count: rank)
        var strided = 0
        var row = 0
        while row < n {
            body(row, strided, inner, step)
            row += inner
            var d = rank - 2
            while d >= 0 {
                index[d] += 1
                strided += strides[d]
                if index[d] < shape[d] { break }
                strided -= strides[d] * shape[d]
                index[d] = 0
                d -= 1
            }
        }
    }

    /// Picks whole slices along the middle axis: out[o, k, i] = x[o, index[k], i].
    package static func indexSelect(_ x: UnsafePointer<Float>, _ index: [Int32], _ out: UnsafeMutablePointer<Float>,
                            outer: Int, n: Int, inner: Int) {
        let k = index.count
        for o in 0..<outer {
            for (j, source) in index.enumerated() {
                (out + (o * k + j) * inner).update(from: x + (o * n + Int(source)) * inner, count: inner)
            }
        }
    }

    /// The adjoint of `indexSelect`: dx[o, index[k], i] += g[o, k, i].
    package static func indexAdd(_ g: UnsafePointer<Float>, _ index: [Int32], _ dx: UnsafeMutablePointer<Float>,
                         outer: Int, n: Int, inner: Int) {
        let k = index.count
        dx.initialize(repeating: 0, count: outer * n * inner)
        for o in 0..<outer {
            for (j, target) in index.enumerated() {
                let d = dx + (o * n + Int(target)) * inner
                let s = g + (o * k + j) * inner
                for i in 0..<inner { d[i] += s[i] }
            }
        }
    }

    /// out[p] = x[p with its `axis` coordinate replaced by index[p]], for every position p of the
    /// index's shape (which may be smaller than x's outside `axis`, as in PyTorch).
    package static func gather(_ x: UnsafePointer<Float>, xShape: [Int], _ index: [Int32], indexShape: [Int], axis: Int,
                       _ out: UnsafeMutablePointer<Float>) {
        forEachGatherPosition(xShape: xShape, index, indexShape: indexShape, axis: axis) { p, source in out[p] = x[source] }
    }

    /// The adjoint of `gather`: dx[source(p)] += g[p], into a zeroed dx.
    package static func scatterAdd(_ g: UnsafePointer<Float>, xShape: [Int], _ index: [Int32], indexShape: [Int], axis: Int,
                           _ dx: UnsafeMutablePointer<Float>) {
        dx.initialize(repeating: 0, count: Shape.count(xShape))
        forEachGatherPosition(xShape: xShape, index, indexShape: indexShape, axis: axis) { p, source in dx[source] += g[p] }
    }

    @inline(__always)
    private static func forEachGatherPosition(xShape: [Int], _ index: [Int32], indexShape: [Int], axis: Int,
                                              _ body: (Int, Int) -> Void) {
        let xStrides = Shape.strides(xShape)
        let rank = indexShape.count
        var coordinate = [Int](repeating: 0, count: rank)
        var base = 0  // offset in x of the coordinate with the axis entry left at 0
        for p in 0..<index.count {
            body(p, base + Int(index[p]) * xStrides[axis])
            var d = rank - 1
            while d >= 0 {
                coordinate[d] += 1
                if d != axis { base += xStrides[d] }
                if coordinate[d] < indexShape[d] { break }
                if d != axis { base -= xStrides[d] * indexShape[d] }
                coordinate[d] = 0
                d -= 1
            }
        }
    }
}
