/// 2-D convolution as GEMMs over im2col columns, a group of images at a time: each group's columns
/// stay in the L2 cache between im2col and the GEMM, instead of a whole batch going through memory.
extension ConvShape {
    /// The same convolution over `count` images.
    func withBatch(_ count: Int) -> ConvShape {
        ConvShape(batch: count, channels: channels, height: height, width: width, outChannels: outChannels,
                  outHeight: outHeight, outWidth: outWidth, window: window)
    }

    var inImage: Int { channels * height * width }
    var outImage: Int { outChannels * outPlane }

    /// Images per group: as many as keep the group's columns within about 512 KiB.
    var groupSize: Int { Swift.max(1, Swift.min(batch, (1 << 17) / Swift.max(patch * outPlane, 1))) }

    /// Calls `body` with each group's first image and its shape.
    func forEachGroup(_ body: (_ first: Int, _ group: ConvShape) -> Void) {
        let size = groupSize
        var first = 0
        while first < batch {
            body(first, withBatch(Swift.min(size, batch - first)))
            first += size
        }
    }
}

extension Kernels {
    /// y[n, o, p] = Σ_k weight[o, k]·col[k, (n, p)] + bias[o].
    static func conv2dForward(_ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
                              _ y: UnsafeMutablePointer<Float>, _ s: ConvShape) {
        let most = s.withBatch(s.groupSize)
        BufferPool.withScratch(Swift.max(most.patch * most.columns, 1)) { col in
            BufferPool.withScratch(Swift.max(most.outChannels * most.columns, 1)) { product in
                s.forEachGroup { first, group in
                    let out = y + first * s.outImage
                    // One image: the product [O, P] already has the output's layout.
                    let target = group.batch == 1 ? out : product
                    im2col(x + first * s.inImage, col, group)
                    BLAS.sgemm(transA: false, transB: false, m: s.outChannels, n: group.columns, k: s.patch, alpha: 1,
                               a: weight, lda: s.patch, b: col, ldb: group.columns, beta: 0, c: target, ldc: group.columns)
                    gatherImages(target, out, bias, group)
                }
            }
        }
    }

    /// [O, N, P] → [N, O, P], adding the bias on the way (in place when N is 1).
    private static func gatherImages(_ product: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                                     _ bias: UnsafePointer<Float>?, _ s: ConvShape) {
        guard s.batch > 1 || bias != nil else { return }
        Parallel.forEachChunk(count: s.batch, minChunk: Swift.max(1, parallelGrain / Swift.max(s.outImage, 1))) { images in
            for n in images {
                for o in 0..<s.outChannels {
                    let src = product + o * s.columns + n * s.outPlane
                    let dst = y + (n * s.outChannels + o) * s.outPlane
                    let b = bias?[o] ?? 0
                    for p in 0..<s.outPlane { dst[p] = src[p] + b }
                }
            }
        }
    }

    /// Gradients of conv2d: dx, dweight and dbias (each optional) from dy.
    static func conv2dBackward(_ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                               dx: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>?,
                               dBias: UnsafeMutablePointer<Float>?, _ s: ConvShape) {
        let most = s.withBatch(s.groupSize)
        dBias?.initialize(repeating: 0, count: s.outChannels)
        BufferPool.withScratch(Swift.max(most.outChannels * most.columns, 1)) { gradCols in
            BufferPool.withScratch(Swift.max(most.patch * most.columns, 1)) { col in
                s.forEachGroup { first, group in
                    let gradients = ConvGradients(dx: dx.map { $0 + first * s.inImage }, dWeight: dWeight, dBias: dBias,
                                                  accumulate: first > 0)
                    conv2dBackwardGroup(x + first * s.inImage, weight, dy + first * s.outImage, gradients, group,
                                        gradCols: gradCols, col: col)
                }
            }
        }
    }

    /// Where one group's gradients go; dweight and dbias add to earlier groups' when `accumulate`.
    private struct ConvGradients {
        let dx: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>?, dBias: UnsafeMutablePointer<Float>?
        let accumulate: Bool
    }

    private static func conv2dBackwardGroup(_ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                                            _ out: ConvGradients, _ s: ConvShape,
                                            gradCols: UnsafeMutablePointer<Float>, col: UnsafeMutablePointer<Float>) {
        // dy [N, O, P] → [O, N, P]; a single image is already in that layout.
        let grads: UnsafePointer<Float> = s.batch == 1 ? dy : UnsafePointer(gradCols)
        if s.batch > 1 {
            for n in 0..<s.batch {
                for o in 0..<s.outChannels {
                    (gradCols + o * s.columns + n * s.outPlane).update(from: dy + (n * s.outChannels + o) * s.outPlane, count: s.outPlane)
                }
            }
        }
        if let dBias = out.dBias {
            for o in 0..<s.outChannels { dBias[o] += rowSum(grads + o * s.columns, s.columns) }
        }
        if let dWeight = out.dWeight {
            im2col(x, col, s)
            BLAS.sgemm(transA: false, transB: true, m: s.outChannels, n: s.patch, k: s.columns, alpha: 1,
                       a: grads, lda: s.columns, b: col, ldb: s.columns, beta: out.accumulate ? 1 : 0, c: dWeight, ldc: s.patch)
        }
        if let dx = out.dx {
            BLAS.sgemm(transA: true, transB: false, m: s.patch, n: s.columns, k: s.outChannels, alpha: 1,
                       a: weight, lda: s.patch, b: grads, ldb: s.columns, beta: 0, c: col, ldc: s.columns)
            col2im(col, dx, s)
        }
    }
}
