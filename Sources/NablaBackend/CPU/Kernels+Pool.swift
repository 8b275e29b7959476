/// Max and average pooling over NCHW planes. Padding counts as −∞ for max pooling.
extension Kernels {
    /// y = max over each window; `winners` holds the flat position in the input plane (−1 if the window is all padding).
    package static func maxPool2d(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ winners: UnsafeMutablePointer<Int32>,
                          planes: Int, height: Int, width: Int, outHeight: Int, outWidth: Int, window w: Window2d) {
        if w.padding == (0, 0) && w.dilation == (1, 1) {
            maxPool2dUnpadded(x, y, winners, planes: planes, height: height, width: width,
                              outHeight: outHeight, outWidth: outWidth, window: w)
            return
        }
        Parallel.forEachChunk(count: planes, minChunk: 8) { r in
            for plane in r {
                let src = x + plane * height * width
                for oh in 0..<outHeight {
                    for ow in 0..<outWidth {
                        var best = -Float.infinity
                        var at: Int32 = -1
                        for ki in 0..<w.kernel.h {
                            let ih = oh * w.stride.h - w.padding.h + ki * w.dilation.h
                            guard ih >= 0 && ih < height else { continue }
                            for kj in 0..<w.kernel.w {
                                let iw = ow * w.stride.w - w.padding.w + kj * w.dilation.w
                                guard iw >= 0 && iw < width else { continue }
                                let v = src[ih * width + iw]
                                if v > best || v.isNaN || at < 0 {
                                    best = v
                                    at = Int32(ih * width + iw)
                                    if v.isNaN { break }
                                }
                            }
                        }
                        let o = (plane * outHeight + oh) * outWidth + ow
                        y[o] = best
                        winners[o] = at
                    }
                }
            }
        }
    }

    /// `maxPool2d` when every window lies inside the plane: no bounds checks in the inner loops.
    private static func maxPool2dUnpadded(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                                          _ winners: UnsafeMutablePointer<Int32>, planes: Int, height: Int, width: Int,
                                          outHeight: Int, outWidth: Int, window w: Window2d) {
        let outPlane = outHeight * outWidth
        Parallel.forEachChunk(count: planes, minChunk: Swift.max(1, 4096 / Swift.max(outPlane, 1))) { r in
            for plane in r {
                let src = x + plane * height * width
                var o = plane * outPlane
                if w.kernel == (2, 2) && w.stride == (2, 2) {
                    maxPool2x2(src, y + o, winners + o, width: width, outHeight: outHeight, outWidth: outWidth)
                    continue
                }
                for oh in 0..<outHeight {
                    for ow in 0..<outWidth {
                        let top = oh * w.stride.h * width + ow * w.stride.w
                        // Selects instead of branches: which element wins is random, so branches mispredict.
                        var best = src[top], at = top, sawNaN = best.isNaN
                        for ki in 0..<w.kernel.h {
                            for kj in 0..<w.kernel.w {
                                let p = top + ki * width + kj
                                let v = src[p]
                                let wins = v > best
                                best = wins ? v : best
                                at = wins ? p : at
                                sawNaN = sawNaN || v.isNaN
                            }
                        }
                        if sawNaN { (best, at) = windowMax(src, top, width: width, window: w) }
                        y[o] = best
                        winners[o] = Int32(at)
                        o += 1
                    }
                }
            }
        }
    }

    /// One plane of 2×2, stride-2 max pooling (the common case), unrolled and branch-free.
    @inline(__always)
    private static func maxPool2x2(_ src: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ winners: UnsafeMutablePointer<Int32>,
                                   width: Int, outHeight: Int, outWidth: Int) {
        let window = Window2d(kernel: (2, 2), stride: (2, 2), padding: (0, 0))
        for oh in 0..<outHeight {
            for ow in 0..<outWidth {
                let p = 2 &* oh &* width &+ 2 &* ow
                let a = src[p], b = src[p &+ 1], c = src[p &+ width], d = src[p &+ width &+ 1]
                var best = a, at = p
                if b > best { best = b; at = p &+ 1 }
                if c > best { best = c; at = p &+ width }
                if d > best { best = d; at = p &+ width &+ 1 }
                if a.isNaN || b.isNaN || c.isNaN || d.isNaN { (best, at) = windowMax(src, p, width: width, window: window) }
                let o = oh &* outWidth &+ ow
                y[o] = best
                winners[o] = Int32(truncatingIfNeeded: at)
            }
        }
    }

    /// The first maximum of the unpadded window at `top`, NaN winning as in the padded path.
    private static func windowMax(_ src: UnsafePointer<Float>, _ top: Int, width: Int, window w: Window2d) -> (Float, Int) {
        var best = -Float.infinity
        var at = -1
        for ki in 0..<w.kernel.h {
            for kj in 0..<w.kernel.w {
                let p = top + ki * width + kj
                let v = src[p]
                if v > best || v.isNaN || at < 0 {
                    best = v
                    at = p
                    if v.isNaN { break }
                }
            }
        }
        return (best, at)
    }

    /// dx[winner] += dy for every window.
    package static func maxPool2dBackward(_ dy: UnsafePointer<Float>, _ winners: UnsafePointer<Int32>, _ dx: UnsafeMutablePointer<Float>,
                                  planes: Int, inPlane: Int, outPlane: Int) {
        dx.initialize(repeating: 0, count: planes * inPlane)
        for plane in 0..<planes {
            let d = dx + plane * inPlane
            for p in 0..<outPlane {
                let at = winners[plane * outPlane + p]
                if at >= 0 { d[Int(at)] += dy[plane * outPlane + p] }
            }
        }
    }

    /// The window bounds and divisor PyTorch uses for average pooling.
    @inline(__always)
    private static func avgWindow(_ o: Int, size: Int, kernel: Int, stride: Int, padding: Int,
                                  includePad: Bool) -> (start: Int, end: Int, count: Int) {
        let start = o * stride - padding
        let end = Swift.min(start + kernel, size + padding)
        let padded = end - start
        let lo = Swift.max(start, 0), hi = Swift.min(end, size)
        return (lo, hi, includePad ? padded : hi - lo)
    }

    /// y = mean over each window, or its adjoint when `backward` (then x is dy and y is dx).
    package static func avgPool2d(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, planes: Int,
                          height: Int, width: Int, outHeight: Int, outWidth: Int, window w: Window2d,
                          countIncludePad: Bool, backward: Bool) {
        if backward { dst.initialize(repeating: 0, count: planes * height * width) }
        for plane in 0..<planes {
            let inBase = plane * height * width
            for oh in 0..<outHeight {
                let rows = avgWindow(oh, size: height, kernel: w.kernel.h, stride: w.stride.h, padding: w.padding.h, includePad: countIncludePad)
                for ow in 0..<outWidth {
                    let cols = avgWindow(ow, size: width, kernel: w.kernel.w, stride: w.stride.w, padding: w.padding.w, includePad: countIncludePad)
                    let o = (plane * outHeight + oh) * outWidth + ow
                    let divisor = Float(rows.count * cols.count)
                    if backward {
                        let g = src[o] / divisor
                        for ih in rows.start..<Swift.max(rows.start, rows.end) {
                            for iw in cols.start..<Swift.max(cols.start, cols.end) { dst[inBase + ih * width + iw] += g }
                        }
                    } else {
                        var total: Float = 0
                        for ih in rows.start..<Swift.max(rows.start, rows.end) {
                            for iw in cols.start..<Swift.max(cols.start, cols.end) { total += src[inBase + ih * width + iw] }
                        }
                        dst[o] = total / divisor
                    }
                }
            }
        }
    }
}
