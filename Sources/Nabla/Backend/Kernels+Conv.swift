/// The im2col lowering of 2-D convolution over NCHW buffers (the GEMMs are in Kernels+ConvGEMM).
struct ConvShape {
    let batch: Int, channels: Int, height: Int, width: Int
    let outChannels: Int, outHeight: Int, outWidth: Int
    let window: Window2d

    var patch: Int { channels * window.kernel.h * window.kernel.w }
    var outPlane: Int { outHeight * outWidth }
    var columns: Int { batch * outPlane }
}

extension Kernels {
    /// Runs on the calling thread: the convolution kernels share groups of images out across cores.
    /// col[(c, ki, kj), (n, oh, ow)] = x[n, c, oh·s − p + ki·d, ow·s − p + kj·d] (0 outside).
    static func im2col(_ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>, _ s: ConvShape) {
        let w = s.window
        let columns = s.columns
        for n in 0..<s.batch {
            for c in 0..<s.channels {
                let plane = x + (n * s.channels + c) * s.height * s.width
                for ki in 0..<w.kernel.h {
                    for kj in 0..<w.kernel.w {
                        let row = (c * w.kernel.h + ki) * w.kernel.w + kj
                        fillColumnRow(plane, col + row * columns + n * s.outPlane, s, ki: ki, kj: kj)
                    }
                }
            }
        }
    }

    @inline(__always)
    private static func fillColumnRow(_ plane: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
                                      _ s: ConvShape, ki: Int, kj: Int) {
        let w = s.window
        for oh in 0..<s.outHeight {
            let ih = oh * w.stride.h - w.padding.h + ki * w.dilation.h
            let out = dst + oh * s.outWidth
            guard ih >= 0 && ih < s.height else {
                out.update(repeating: 0, count: s.outWidth)
                continue
            }
            let src = plane + ih * s.width
            let offset = kj * w.dilation.w - w.padding.w
            if w.stride.w == 1 {
                // Unit stride: a zero edge, one contiguous copy, a zero edge.
                let (lo, hi) = unitStrideSpan(offset: offset, s)
                for i in 0..<lo { out[i] = 0 }
                copyShort(src + lo + offset, out + lo, hi - lo)
                for i in hi..<s.outWidth { out[i] = 0 }
                continue
            }
            for ow in 0..<s.outWidth {
                let iw = ow * w.stride.w + offset
                out[ow] = iw >= 0 && iw < s.width ? src[iw] : 0
            }
        }
    }

    /// Copies a short row inline: rows are tens of floats, where a `memmove` call costs more than the copy.
    @inline(__always)
    private static func copyShort(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        while i + 4 <= n {
            UnsafeMutableRawPointer(dst + i).storeBytes(of: UnsafeRawPointer(src + i).loadUnaligned(as: SIMD4<Float>.self),
                                                        as: SIMD4<Float>.self)
            i += 4
        }
        while i < n {
            dst[i] = src[i]
            i += 1
        }
    }

    /// The output columns `lo ..< hi` whose input column `ow + offset` lies inside the row (unit stride).
    @inline(__always)
    private static func unitStrideSpan(offset: Int, _ s: ConvShape) -> (Int, Int) {
        let lo = Swift.min(Swift.max(0, -offset), s.outWidth)
        return (lo, Swift.max(lo, Swift.min(s.outWidth, s.width - offset)))
    }

    /// The adjoint of `im2col`: accumulates columns back into dx (which starts at zero).
    static func col2im(_ col: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ s: ConvShape) {
        let w = s.window
        let columns = s.columns
        dx.initialize(repeating: 0, count: s.batch * s.channels * s.height * s.width)
        for n in 0..<s.batch {
            for c in 0..<s.channels {
                let plane = dx + (n * s.channels + c) * s.height * s.width
                for ki in 0..<w.kernel.h {
                    for kj in 0..<w.kernel.w {
                        let row = (c * w.kernel.h + ki) * w.kernel.w + kj
                        addColumnRow(col + row * columns + n * s.outPlane, plane, s, ki: ki, kj: kj)
                    }
                }
            }
        }
    }

    /// plane[oh·s − p + ki·d, ow·s − p + kj·d] += src[oh, ow] for the positions inside the plane.
    @inline(__always)
    private static func addColumnRow(_ src: UnsafePointer<Float>, _ plane: UnsafeMutablePointer<Float>,
                                     _ s: ConvShape, ki: Int, kj: Int) {
        let w = s.window
        let offset = kj * w.dilation.w - w.padding.w
        let (lo, hi) = unitStrideSpan(offset: offset, s)
        for oh in 0..<s.outHeight {
            let ih = oh * w.stride.h - w.padding.h + ki * w.dilation.h
            guard ih >= 0 && ih < s.height else { continue }
            let from = src + oh * s.outWidth, to = plane + ih * s.width
            if w.stride.w == 1 {
                for ow in lo..<hi { to[ow + offset] += from[ow] }
                continue
            }
            for ow in 0..<s.outWidth {
                let iw = ow * w.stride.w + offset
                if iw >= 0 && iw < s.width { to[iw] += from[ow] }
            }
        }
    }
}
