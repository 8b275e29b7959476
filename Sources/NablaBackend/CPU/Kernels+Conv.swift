/// The im2col lowering of 2-D convolution over NCHW buffers (the GEMMs are in Kernels+ConvGEMM).
extension ConvShape {
    var patch: Int { channels * window.kernel.h * window.kernel.w }
    var columns: Int { batch * outPlane }

    /// One input plane with its zero padding around it: rows and columns.
    var paddedHeight: Int { height + 2 * window.padding.h }
    var paddedWidth: Int { width + 2 * window.padding.w }
}

/// Both lowerings go through a zero-padded copy of one input plane at a time, so that every
/// column row is a plain strided copy with no bounds checks: rows are only 4 to 28 floats long,
/// and per-element checks cost more than the copies.
extension Kernels {
    /// Runs on the calling thread: the convolution kernels share groups of images out across cores.
    /// col[(c, ki, kj), (n, oh, ow)] = x[n, c, oh·s − p + ki·d, ow·s − p + kj·d] (0 outside).
    static func im2col(_ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>, _ s: ConvShape) {
        let w = s.window
        BufferPool.withScratch(s.paddedHeight * s.paddedWidth) { padded in
            padded.initialize(repeating: 0, count: s.paddedHeight * s.paddedWidth)
            for n in 0..<s.batch {
                for c in 0..<s.channels {
                    copyIntoPadding(x + (n * s.channels + c) * s.height * s.width, padded, s)
                    for ki in 0..<w.kernel.h {
                        for kj in 0..<w.kernel.w {
                            let row = (c * w.kernel.h + ki) * w.kernel.w + kj
                            fillColumnRow(padded, col + row * s.columns + n * s.outPlane, s, ki: ki, kj: kj)
                        }
                    }
                }
            }
        }
    }

    /// The interior of `padded` = `plane`; the border stays as it is (zero).
    @inline(__always)
    private static func copyIntoPadding(_ plane: UnsafePointer<Float>, _ padded: UnsafeMutablePointer<Float>, _ s: ConvShape) {
        let interior = padded + s.window.padding.h * s.paddedWidth + s.window.padding.w
        for h in 0..<s.height { copyShort(plane + h * s.width, interior + h * s.paddedWidth, s.width) }
    }

    /// dst[oh, ow] = padded[oh·s + ki·d, ow·s + kj·d].
    @inline(__always)
    private static func fillColumnRow(_ padded: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
                                      _ s: ConvShape, ki: Int, kj: Int) {
        let w = s.window
        var src = padded + ki * w.dilation.h * s.paddedWidth + kj * w.dilation.w
        var out = dst
        for _ in 0..<s.outHeight {
            if w.stride.w == 1 {
                copyShort(src, out, s.outWidth)
            } else {
                for ow in 0..<s.outWidth { out[ow] = src[ow &* w.stride.w] }
            }
            src += w.stride.h * s.paddedWidth
            out += s.outWidth
        }
    }

    /// Copies a short row inline: rows are tens of floats, where a `memmove` call costs more than the copy.
    @inline(__always)
    private static func copyShort(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        while i &+ 4 <= n {
            UnsafeMutableRawPointer(dst + i).storeBytes(of: UnsafeRawPointer(src + i).loadUnaligned(as: SIMD4<Float>.self),
                                                        as: SIMD4<Float>.self)
            i &+= 4
        }
        while i < n {
            dst[i] = src[i]
            i &+= 1
        }
    }

    /// The adjoint of `im2col`: accumulates columns back into dx (which it overwrites).
    static func col2im(_ col: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ s: ConvShape) {
        let w = s.window
        let interior = w.padding.h * s.paddedWidth + w.padding.w
        BufferPool.withScratch(s.paddedHeight * s.paddedWidth) { padded in
            for n in 0..<s.batch {
                for c in 0..<s.channels {
                    padded.initialize(repeating: 0, count: s.paddedHeight * s.paddedWidth)
                    for ki in 0..<w.kernel.h {
                        for kj in 0..<w.kernel.w {
                            let row = (c * w.kernel.h + ki) * w.kernel.w + kj
                            addColumnRow(col + row * s.columns + n * s.outPlane, padded, s, ki: ki, kj: kj)
                        }
                    }
                    let plane = dx + (n * s.channels + c) * s.height * s.width
                    for h in 0..<s.height { copyShort(padded + interior + h * s.paddedWidth, plane + h * s.width, s.width) }
                }
            }
        }
    }

    /// padded[oh·s + ki·d, ow·s + kj·d] += src[oh, ow].
    @inline(__always)
    private static func addColumnRow(_ src: UnsafePointer<Float>, _ padded: UnsafeMutablePointer<Float>,
                                     _ s: ConvShape, ki: Int, kj: Int) {
        let w = s.window
        var to = padded + ki * w.dilation.h * s.paddedWidth + kj * w.dilation.w
        var from = src
        for _ in 0..<s.outHeight {
            if w.stride.w == 1 {
                for ow in 0..<s.outWidth { to[ow] += from[ow] }
            } else {
                for ow in 0..<s.outWidth { to[ow &* w.stride.w] += from[ow] }
            }
            to += w.stride.h * s.paddedWidth
            from += s.outWidth
        }
    }
}
