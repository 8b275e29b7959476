/// 2-D convolution by im2col and GEMM, and 2-D pooling, over NCHW buffers.
struct ConvShape {
    let batch: Int, channels: Int, height: Int, width: Int
    let outChannels: Int, outHeight: Int, outWidth: Int
    let window: Window2d

    var patch: Int { channels * window.kernel.h * window.kernel.w }
    var outPlane: Int { outHeight * outWidth }
    var columns: Int { batch * outPlane }
}

extension Kernels {
    /// col[(c, ki, kj), (n, oh, ow)] = x[n, c, oh·s − p + ki·d, ow·s − p + kj·d] (0 outside).
    static func im2col(_ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>, _ s: ConvShape) {
        let w = s.window
        let columns = s.columns
        Parallel.forEachChunk(count: s.batch, minChunk: 1) { images in
            for n in images {
                for c in 0..<s.channels {
                    let plane = x + (n * s.channels + c) * s.height * s.width
                    for ki in 0..<w.kernel.h {
                        for kj in 0..<w.kernel.w {
                            let row = (c * w.kernel.h + ki) * w.kernel.w + kj
                            let dst = col + row * columns + n * s.outPlane
                            fillColumnRow(plane, dst, s, ki: ki, kj: kj)
                        }
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
            for ow in 0..<s.outWidth {
                let iw = ow * w.stride.w + offset
                out[ow] = iw >= 0 && iw < s.width ? src[iw] : 0
            }
        }
    }

    /// The adjoint of `im2col`: accumulates columns back into dx (which starts at zero).
    static func col2im(_ col: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ s: ConvShape) {
        let w = s.window
        let columns = s.columns
        dx.initialize(repeating: 0, count: s.batch * s.channels * s.height * s.width)
        Parallel.forEachChunk(count: s.batch, minChunk: 1) { images in
            for n in images {
                for c in 0..<s.channels {
                    let plane = dx + (n * s.channels + c) * s.height * s.width
                    for ki in 0..<w.kernel.h {
                        for kj in 0..<w.kernel.w {
                            let row = (c * w.kernel.h + ki) * w.kernel.w + kj
                            let src = col + row * columns + n * s.outPlane
                            for oh in 0..<s.outHeight {
                                let ih = oh * w.stride.h - w.padding.h + ki * w.dilation.h
                                guard ih >= 0 && ih < s.height else { continue }
                                let dstRow = plane + ih * s.width
                                for ow in 0..<s.outWidth {
                                    let iw = ow * w.stride.w - w.padding.w + kj * w.dilation.w
                                    if iw >= 0 && iw < s.width { dstRow[iw] += src[oh * s.outWidth + ow] }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// y[n, o, p] = Σ_k weight[o, k]·col[k, (n, p)] + bias[o].
    static func conv2dForward(_ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
                              _ y: UnsafeMutablePointer<Float>, _ s: ConvShape) {
        let col = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(s.patch * s.columns, 1))
        let product = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(s.outChannels * s.columns, 1))
        defer { col.deallocate(); product.deallocate() }
        im2col(x, col, s)
        BLAS.sgemm(transA: false, transB: false, m: s.outChannels, n: s.columns, k: s.patch, alpha: 1,
                   a: weight, lda: s.patch, b: col, ldb: s.columns, beta: 0, c: product, ldc: s.columns)
        // [O, N, P] → [N, O, P], adding the bias on the way.
        for n in 0..<s.batch {
            for o in 0..<s.outChannels {
                let src = product + o * s.columns + n * s.outPlane
                let dst = y + (n * s.outChannels + o) * s.outPlane
                let b = bias?[o] ?? 0
                for p in 0..<s.outPlane { dst[p] = src[p] + b }
            }
        }
    }

    /// Gradients of conv2d: dx, dweight and dbias (each optional) from dy.
    static func conv2dBackward(_ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                               dx: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>?,
                               dBias: UnsafeMutablePointer<Float>?, _ s: ConvShape) {
        let gradCols = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(s.outChannels * s.columns, 1))
        let col = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(s.patch * s.columns, 1))
        defer { gradCols.deallocate(); col.deallocate() }
        for n in 0..<s.batch {
            for o in 0..<s.outChannels {
                (gradCols + o * s.columns + n * s.outPlane).update(from: dy + (n * s.outChannels + o) * s.outPlane, count: s.outPlane)
            }
        }
        if let dBias {
            for o in 0..<s.outChannels { dBias[o] = rowSum(gradCols + o * s.columns, s.columns) }
        }
        if let dWeight {
            im2col(x, col, s)
            BLAS.sgemm(transA: false, transB: true, m: s.outChannels, n: s.patch, k: s.columns, alpha: 1,
                       a: gradCols, lda: s.columns, b: col, ldb: s.columns, beta: 0, c: dWeight, ldc: s.patch)
        }
        if let dx {
            BLAS.sgemm(transA: true, transB: false, m: s.patch, n: s.columns, k: s.outChannels, alpha: 1,
                       a: weight, lda: s.patch, b: gradCols, ldb: s.columns, beta: 0, c: col, ldc: s.columns)
            col2im(col, dx, s)
        }
    }
}
