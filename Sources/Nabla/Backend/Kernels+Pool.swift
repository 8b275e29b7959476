/// Max and average pooling over NCHW planes. Padding counts as −∞ for max pooling.
extension Kernels {
    /// y = max over each window; `winners` holds the flat position in the input plane (−1 if the window is all padding).
    static func maxPool2d(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ winners: UnsafeMutablePointer<Int32>,
                          planes: Int, height: Int, width: Int, outHeight: Int, outWidth: Int, window w: Window2d) {
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

    /// dx[winner] += dy for every window.
    static func maxPool2dBackward(_ dy: UnsafePointer<Float>, _ winners: UnsafePointer<Int32>, _ dx: UnsafeMutablePointer<Float>,
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
    static func avgPool2d(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, planes: Int,
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
