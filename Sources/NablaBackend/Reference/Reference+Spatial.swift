/// Matrix products, convolution and pooling, written as their sums.
extension ReferenceBackend {
    /// C[b][i, j] = Σ_p op(A)[i, p]·op(B)[p, j]: the triple loop, per batch entry.
    package static func matmul(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ s: MatmulShape) {
        Self.forEachIndex(s.batch) { entry, index in
            let pa = a + Self.offset(index, s.aBatchStrides), pb = b + Self.offset(index, s.bBatchStrides)
            let pc = c + entry * s.m * s.n
            for i in 0..<s.m {
                for j in 0..<s.n {
                    var total = 0.0
                    for p in 0..<s.k {
                        let left = s.transA ? pa[p * s.m + i] : pa[i * s.k + p]
                        let right = s.transB ? pb[j * s.k + p] : pb[p * s.n + j]
                        total += Double(left) * Double(right)
                    }
                    pc[i * s.n + j] = Float(total)
                }
            }
        }
    }

    package static func conv2dForward(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                               _ y: UnsafeMutablePointer<Float>, _ s: ConvShape) {
        var sums = [Double](repeating: 0, count: s.batch * s.outChannels * s.outPlane)
        Self.forEachTap(s) { tap in sums[tap.y] += Double(weight[tap.weight]) * Double(x[tap.x]) }
        for (i, total) in sums.enumerated() {
            let o = (i / s.outPlane) % s.outChannels
            y[i] = Float(total + Double(bias?[o] ?? 0))
        }
    }

    package static func conv2dBackward(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                                dx: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>?,
                                dBias: UnsafeMutablePointer<Float>?, _ s: ConvShape) {
        let w = s.window
        var dxSums = [Double](repeating: 0, count: s.batch * s.channels * s.height * s.width)
        var dwSums = [Double](repeating: 0, count: s.outChannels * s.channels * w.kernel.h * w.kernel.w)
        // y = Σ weight·x over the taps, so dx and dweight collect dy·weight and dy·x tap by tap.
        Self.forEachTap(s) { tap in
            dxSums[tap.x] += Double(dy[tap.y]) * Double(weight[tap.weight])
            dwSums[tap.weight] += Double(dy[tap.y]) * Double(x[tap.x])
        }
        if let dx { for (i, v) in dxSums.enumerated() { dx[i] = Float(v) } }
        if let dWeight { for (i, v) in dwSums.enumerated() { dWeight[i] = Float(v) } }
        guard let dBias else { return }
        for o in 0..<s.outChannels {
            var total = 0.0
            for n in 0..<s.batch {
                for p in 0..<s.outPlane { total += Double(dy[(n * s.outChannels + o) * s.outPlane + p]) }
            }
            dBias[o] = Float(total)
        }
    }

    /// The flat positions in y, x and weight that one product of a convolution joins.
    struct ConvTap {
        let y: Int, x: Int, weight: Int
    }

    /// Visits every product weight[o, c, ki, kj]·x[n, c, ih, iw] that output y[n, o, oh, ow] sums, skipping
    /// taps that fall in the zero padding.
    static func forEachTap(_ s: ConvShape, _ body: (ConvTap) -> Void) {
        let w = s.window
        for n in 0..<s.batch {
            for o in 0..<s.outChannels {
                for oh in 0..<s.outHeight {
                    for ow in 0..<s.outWidth {
                        let yIndex = ((n * s.outChannels + o) * s.outHeight + oh) * s.outWidth + ow
                        for c in 0..<s.channels {
                            for ki in 0..<w.kernel.h {
                                let ih = oh * w.stride.h - w.padding.h + ki * w.dilation.h
                                guard ih >= 0 && ih < s.height else { continue }
                                for kj in 0..<w.kernel.w {
                                    let iw = ow * w.stride.w - w.padding.w + kj * w.dilation.w
                                    guard iw >= 0 && iw < s.width else { continue }
                                    body(ConvTap(y: yIndex, x: ((n * s.channels + c) * s.height + ih) * s.width + iw,
                                                 weight: ((o * s.channels + c) * w.kernel.h + ki) * w.kernel.w + kj))
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // MARK: - Pooling

    package static func maxPool2d(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, winners: UnsafeMutablePointer<Int32>, _ s: PoolShape) {
        Self.forEachWindow(s) { plane, out, cells in
            var best = -Float.infinity, at = -1
            for (cell, _) in cells where cell >= 0 && !best.isNaN {
                let v = x[plane * s.inPlane + cell]
                if at < 0 || v > best || v.isNaN { (best, at) = (v, cell) }
            }
            y[out] = best
            winners[out] = Int32(at)
        }
    }

    package static func maxPool2dBackward(_ dy: UnsafePointer<Float>, winners: UnsafePointer<Int32>, _ dx: UnsafeMutablePointer<Float>,
                                   _ s: PoolShape) {
        for i in 0..<(s.planes * s.inPlane) { dx[i] = 0 }
        for plane in 0..<s.planes {
            for p in 0..<s.outPlane where winners[plane * s.outPlane + p] >= 0 {
                dx[plane * s.inPlane + Int(winners[plane * s.outPlane + p])] += dy[plane * s.outPlane + p]
            }
        }
    }

    package static func avgPool2d(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ s: PoolShape, countIncludePad: Bool) {
        Self.forEachWindow(s) { plane, out, cells in
            var total = 0.0
            for (cell, _) in cells where cell >= 0 { total += Double(x[plane * s.inPlane + cell]) }
            y[out] = Float(total / Double(Self.divisor(cells, countIncludePad: countIncludePad)))
        }
    }

    package static func avgPool2dBackward(_ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ s: PoolShape, countIncludePad: Bool) {
        for i in 0..<(s.planes * s.inPlane) { dx[i] = 0 }
        Self.forEachWindow(s) { plane, out, cells in
            let share = dy[out] / Float(Self.divisor(cells, countIncludePad: countIncludePad))
            for (cell, _) in cells where cell >= 0 { dx[plane * s.inPlane + cell] += share }
        }
    }

    /// PyTorch's average-pooling divisor: the window's cells inside the padded input, or only the real ones.
    static func divisor(_ cells: [(cell: Int, inPadded: Bool)], countIncludePad: Bool) -> Int {
        countIncludePad ? cells.filter(\.inPadded).count : cells.filter { $0.cell >= 0 }.count
    }

    /// Calls `body(plane, output position, cells)` for every window, its cells listed row by row as the flat
    /// position in the input plane (−1 in the padding or beyond) and whether the cell lies inside the
    /// padded input (a window may overhang it at the bottom and right).
    static func forEachWindow(_ s: PoolShape, _ body: (Int, Int, [(cell: Int, inPadded: Bool)]) -> Void) {
        let w = s.window
        for plane in 0..<s.planes {
            for oh in 0..<s.outHeight {
                for ow in 0..<s.outWidth {
                    var cells: [(cell: Int, inPadded: Bool)] = []
                    for ki in 0..<w.kernel.h {
                        let ih = oh * w.stride.h - w.padding.h + ki * w.dilation.h
                        for kj in 0..<w.kernel.w {
                            let iw = ow * w.stride.w - w.padding.w + kj * w.dilation.w
                            let real = ih >= 0 && ih < s.height && iw >= 0 && iw < s.width
                            let inPadded = ih < s.height + w.padding.h && iw < s.width + w.padding.w
                            cells.append((real ? ih * s.width + iw : -1, inPadded))
                        }
                    }
                    body(plane, (plane * s.outHeight + oh) * s.outWidth + ow, cells)
                }
            }
        }
    }
}
