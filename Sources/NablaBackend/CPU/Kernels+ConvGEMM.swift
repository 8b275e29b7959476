/// 2-D convolution as GEMMs over im2col columns, a group of images at a time. Each group's columns
/// stay in the cache between im2col and the GEMM, and the groups are shared out across the cores,
/// each core running its own im2col and single-threaded GEMMs: no core waits for another.
extension ConvShape {
    /// The same convolution over `count` images.
    func withBatch(_ count: Int) -> ConvShape {
        ConvShape(batch: count, channels: channels, height: height, width: width, outChannels: outChannels,
                  outHeight: outHeight, outWidth: outWidth, window: window)
    }

    var inImage: Int { channels * height * width }
    var outImage: Int { outChannels * outPlane }

    /// Images per group: few enough that the group's columns stay within about 512 KiB, and that
    /// the batch makes at least two groups per core, so that the cores share it evenly.
    var groupSize: Int {
        let cached = (1 << 17) / Swift.max(patch * outPlane, 1)
        let spread = (batch + 2 * Parallel.coreCount - 1) / (2 * Parallel.coreCount)
        return Swift.max(1, Swift.min(batch, cached, spread))
    }

    var groupCount: Int { (batch + groupSize - 1) / groupSize }

    /// How many parts `forEachPart` splits the groups into: one when a single group (or core) does
    /// all the work with a multi-threaded GEMM, otherwise a few per core for balance.
    var partCount: Int { Parallel.coreCount > 1 ? Swift.min(groupCount, 2 * Parallel.coreCount) : 1 }

    /// The first image of group `index`, and the group's shape.
    func group(_ index: Int) -> (first: Int, shape: ConvShape) {
        let first = index * groupSize
        return (first, withBatch(Swift.min(groupSize, batch - first)))
    }

    /// Calls `body(part, groups)` for each part of the groups, concurrently when there are several
    /// parts, with every BLAS call then on its own calling thread.
    func forEachPart(_ body: (_ part: Int, _ groups: Range<Int>) -> Void) {
        let parts = partCount
        guard parts > 1 else { return body(0, 0..<groupCount) }
        BLAS.withCallerThreads { Parallel.forEachPart(count: groupCount, parts: parts, body) }
    }
}

extension Kernels {
    /// y[n, o, p] = Σ_k weight[o, k]·col[k, (n, p)] + bias[o].
    package static func conv2dForward(_ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
                              _ y: UnsafeMutablePointer<Float>, _ s: ConvShape) {
        let most = s.withBatch(s.groupSize)
        let columnCount = most.patch * most.columns
        // A single image's product [O, P] already has the output's layout and needs no staging.
        let productCount = most.batch > 1 ? most.outChannels * most.columns : 0
        s.forEachPart { _, groups in
            BufferPool.withScratch(Swift.max(columnCount + productCount, 1)) { buffer in
                for index in groups {
                    let (first, group) = s.group(index)
                    let out = y + first * s.outImage
                    let target = group.batch == 1 ? out : buffer + columnCount
                    im2col(x + first * s.inImage, buffer, group)
                    BLAS.sgemm(transA: false, transB: false, m: s.outChannels, n: group.columns, k: s.patch, alpha: 1,
                               a: weight, lda: s.patch, b: buffer, ldb: group.columns, beta: 0, c: target, ldc: group.columns)
                    gatherImages(target, out, bias, group)
                }
            }
        }
    }

    /// [O, N, P] → [N, O, P], adding the bias on the way (in place when N is 1).
    private static func gatherImages(_ product: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                                     _ bias: UnsafePointer<Float>?, _ s: ConvShape) {
        guard s.batch > 1 || bias != nil else { return }
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
    package static func conv2dBackward(_ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                               dx: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>?,
                               dBias: UnsafeMutablePointer<Float>?, _ s: ConvShape) {
        let most = s.withBatch(s.groupSize)
        let gradCount = most.outChannels * most.columns, columnCount = most.patch * most.columns
        // Each part sums its groups' dweight and dbias apart; part 0 writes into the outputs.
        let partialCount = s.outChannels * s.patch + s.outChannels
        BufferPool.withScratch(Swift.max((s.partCount - 1) * partialCount, 1)) { partials in
            s.forEachPart { part, groups in
                let base = partials + (part - 1) * partialCount
                let sums = ConvGradients(dWeight: dWeight.map { part == 0 ? $0 : base },
                                         dBias: dBias.map { part == 0 ? $0 : base + s.outChannels * s.patch })
                sums.dBias?.initialize(repeating: 0, count: s.outChannels)
                BufferPool.withScratch(Swift.max(gradCount + columnCount, 1)) { buffer in
                    for (order, index) in groups.enumerated() {
                        let (first, group) = s.group(index)
                        conv2dBackwardGroup(x + first * s.inImage, weight, dy + first * s.outImage,
                                            dx: dx.map { $0 + first * s.inImage }, sums, accumulate: order > 0, group,
                                            gradCols: buffer, col: buffer + gradCount)
                    }
                }
            }
            for part in 1..<Swift.max(s.partCount, 1) {
                let base = partials + (part - 1) * partialCount
                if let dWeight { add(base, into: dWeight, s.outChannels * s.patch) }
                if let dBias { add(base + s.outChannels * s.patch, into: dBias, s.outChannels) }
            }
        }
    }

    private static func add(_ source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>, _ count: Int) {
        for i in 0..<count { target[i] += source[i] }
    }

    /// Where one part's weight and bias gradients are summed.
    private struct ConvGradients {
        let dWeight: UnsafeMutablePointer<Float>?, dBias: UnsafeMutablePointer<Float>?
    }

    private static func conv2dBackwardGroup(_ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                                            dx: UnsafeMutablePointer<Float>?, _ sums: ConvGradients, accumulate: Bool,
                                            _ s: ConvShape, gradCols: UnsafeMutablePointer<Float>, col: UnsafeMutablePointer<Float>) {
        // dy [N, O, P] → [O, N, P]; a single image is already in that layout.
        let grads: UnsafePointer<Float> = s.batch == 1 ? dy : UnsafePointer(gradCols)
        if s.batch > 1 {
            for n in 0..<s.batch {
                for o in 0..<s.outChannels {
                    (gradCols + o * s.columns + n * s.outPlane).update(from: dy + (n * s.outChannels + o) * s.outPlane, count: s.outPlane)
                }
            }
        }
        if let dBias = sums.dBias {
            for o in 0..<s.outChannels { dBias[o] += rowSum(grads + o * s.columns, s.columns) }
        }
        if let dWeight = sums.dWeight {
            im2col(x, col, s)
            BLAS.sgemm(transA: false, transB: true, m: s.outChannels, n: s.patch, k: s.columns, alpha: 1,
                       a: grads, lda: s.columns, b: col, ldb: s.columns, beta: accumulate ? 1 : 0, c: dWeight, ldc: s.patch)
        }
        if let dx {
            BLAS.sgemm(transA: true, transB: false, m: s.patch, n: s.columns, k: s.outChannels, alpha: 1,
                       a: weight, lda: s.patch, b: grads, ldb: s.columns, beta: 0, c: col, ldc: s.columns)
            col2im(col, dx, s)
        }
    }
}
