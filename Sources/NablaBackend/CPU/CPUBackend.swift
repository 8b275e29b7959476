/// The CPU backend: SIMD loops, a BLAS found at run time and Nabla's thread pool. It forwards every
/// requirement to `Kernels`, where the loops live.
package enum CPUBackend: Backend {
    package static var name: String { "cpu" }

    // MARK: - Elementwise

    /// The function's own fast path (SIMD where it has one), split across cores.
    package static func unary<F: UnaryFunction>(_ f: F, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        Kernels.unary(f, x, y, count)
    }

    package static func unaryBackward<F: UnaryFunction>(_ f: F, x: UnsafePointer<Float>, y: UnsafePointer<Float>?, g: UnsafePointer<Float>,
                                                        dx: UnsafeMutablePointer<Float>, count: Int) {
        Kernels.unaryBackward(f, x: x, y: y, g: g, dx: dx, count)
    }

    package static func binary(_ op: BinaryOp, _ a: BroadcastOperand, _ b: BroadcastOperand, _ out: UnsafeMutablePointer<Float>, shape: [Int]) {
        Kernels.binary(op, a, b, out, shape: shape)
    }

    package static func compare(_ op: CompareOp, _ a: BroadcastOperand, _ b: BroadcastOperand, _ out: UnsafeMutablePointer<Float>, shape: [Int]) {
        Kernels.compare(op, a, b, out, shape: shape)
    }

    package static func select(mask: UnsafePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                        _ out: UnsafeMutablePointer<Float>, count: Int) {
        Kernels.select(mask: mask, a, b, out, count)
    }

    // MARK: - Reductions

    package static func sum(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, outer: Int, n: Int, inner: Int) {
        Kernels.sum(x, out, outer: outer, n: n, inner: inner)
    }

    package static func max(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, index: UnsafeMutablePointer<Int32>,
                     outer: Int, n: Int, inner: Int) {
        Kernels.max(x, out, index, outer: outer, n: n, inner: inner)
    }

    package static func maxBackward(_ g: UnsafePointer<Float>, index: UnsafePointer<Int32>, _ dx: UnsafeMutablePointer<Float>,
                             outer: Int, n: Int, inner: Int) {
        Kernels.maxBackward(g, index, dx, outer: outer, n: n, inner: inner)
    }

    package static func softmax(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, outer: Int, n: Int, inner: Int, log: Bool) {
        Kernels.softmax(x, y, outer: outer, n: n, inner: inner, log: log)
    }

    package static func softmaxBackward(_ y: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                                        outer: Int, n: Int, inner: Int, log: Bool) {
        Kernels.softmaxBackward(y, g, dx, outer: outer, n: n, inner: inner, log: log)
    }

    package static func sumBroadcast(_ src: UnsafePointer<Float>, shape: [Int], into dst: UnsafeMutablePointer<Float>, strides: [Int]) {
        Kernels.sumBroadcast(src, shape: shape, into: dst, strides: strides)
    }

    // MARK: - Movement

    package static func stridedRead(_ src: UnsafePointer<Float>, offset: Int, strides: [Int], _ dst: UnsafeMutablePointer<Float>, shape: [Int]) {
        Kernels.stridedRead(src, offset: offset, strides: strides, dst, shape: shape)
    }

    package static func stridedWrite(_ src: UnsafePointer<Float>, shape: [Int], _ dst: UnsafeMutablePointer<Float>, offset: Int, strides: [Int]) {
        Kernels.stridedWrite(src, shape: shape, dst, offset: offset, strides: strides)
    }

    package static func indexSelect(_ x: UnsafePointer<Float>, index: [Int32], _ out: UnsafeMutablePointer<Float>, outer: Int, n: Int, inner: Int) {
        Kernels.indexSelect(x, index, out, outer: outer, n: n, inner: inner)
    }

    package static func indexAdd(_ g: UnsafePointer<Float>, index: [Int32], _ dx: UnsafeMutablePointer<Float>, outer: Int, n: Int, inner: Int) {
        Kernels.indexAdd(g, index, dx, outer: outer, n: n, inner: inner)
    }

    package static func gather(_ x: UnsafePointer<Float>, xShape: [Int], index: [Int32], indexShape: [Int], axis: Int,
                        _ out: UnsafeMutablePointer<Float>) {
        Kernels.gather(x, xShape: xShape, index, indexShape: indexShape, axis: axis, out)
    }

    package static func scatterAdd(_ g: UnsafePointer<Float>, xShape: [Int], index: [Int32], indexShape: [Int], axis: Int,
                            _ dx: UnsafeMutablePointer<Float>) {
        Kernels.scatterAdd(g, xShape: xShape, index, indexShape: indexShape, axis: axis, dx)
    }

    // MARK: - Linear algebra and convolution

    package static func matmul(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ s: MatmulShape) {
        Kernels.matmul(a, b, c, s)
    }

    package static func conv2dForward(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                               _ y: UnsafeMutablePointer<Float>, _ s: ConvShape) {
        Kernels.conv2dForward(x, weight, bias, y, s)
    }

    package static func conv2dBackward(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                                dx: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>?,
                                dBias: UnsafeMutablePointer<Float>?, _ s: ConvShape) {
        Kernels.conv2dBackward(x, weight, dy, dx: dx, dWeight: dWeight, dBias: dBias, s)
    }

    // MARK: - Pooling

    package static func maxPool2d(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, winners: UnsafeMutablePointer<Int32>, _ s: PoolShape) {
        Kernels.maxPool2d(x, y, winners, planes: s.planes, height: s.height, width: s.width,
                          outHeight: s.outHeight, outWidth: s.outWidth, window: s.window)
    }

    package static func maxPool2dBackward(_ dy: UnsafePointer<Float>, winners: UnsafePointer<Int32>, _ dx: UnsafeMutablePointer<Float>,
                                   _ s: PoolShape) {
        Kernels.maxPool2dBackward(dy, winners, dx, planes: s.planes, inPlane: s.inPlane, outPlane: s.outPlane)
    }

    package static func avgPool2d(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ s: PoolShape, countIncludePad: Bool) {
        Kernels.avgPool2d(x, y, planes: s.planes, height: s.height, width: s.width, outHeight: s.outHeight, outWidth: s.outWidth,
                          window: s.window, countIncludePad: countIncludePad, backward: false)
    }

    package static func avgPool2dBackward(_ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ s: PoolShape, countIncludePad: Bool) {
        Kernels.avgPool2d(dy, dx, planes: s.planes, height: s.height, width: s.width, outHeight: s.outHeight, outWidth: s.outWidth,
                          window: s.window, countIncludePad: countIncludePad, backward: true)
    }

    // MARK: - Batch normalization

    package static func channelStatistics(_ x: UnsafePointer<Float>, _ layout: ChannelLayout,
                                   mean: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>) {
        Kernels.channelStatistics(x, layout, mean: mean, variance: variance)
    }

    package static func channelAffine(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ layout: ChannelLayout,
                               scale: UnsafePointer<Float>, shift: UnsafePointer<Float>) {
        Kernels.channelAffine(x, y, layout, scale: scale, shift: shift)
    }

    package static func batchNormBackward(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ layout: ChannelLayout,
                                   mean: UnsafePointer<Float>, invStd: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                   dx: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>,
                                   dBias: UnsafeMutablePointer<Float>) {
        Kernels.batchNormBackward(x, g, layout, mean: mean, invStd: invStd, weight: weight, dx: dx, dWeight: dWeight, dBias: dBias)
    }

    package static func batchNormGradientSums(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ layout: ChannelLayout,
                                       mean: UnsafePointer<Float>, sumG: UnsafeMutablePointer<Double>,
                                       sumGX: UnsafeMutablePointer<Double>) {
        Kernels.batchNormGradientSums(x, g, layout, mean: mean, sumG: sumG, sumGX: sumGX)
    }

    package static func batchNormInputGradient(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ layout: ChannelLayout,
                                        mean: UnsafePointer<Float>, invStd: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                        sumG: UnsafePointer<Double>, sumGX: UnsafePointer<Double>, count: Double,
                                        dx: UnsafeMutablePointer<Float>) {
        Kernels.batchNormInputGradient(x, g, layout, mean: mean, invStd: invStd, weight: weight, sumG: sumG, sumGX: sumGX,
                                       count: count, dx: dx)
    }

    package static func layerNormForward(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?,
                                         _ y: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>,
                                         invStd: UnsafeMutablePointer<Float>, rows: Int, width: Int, eps: Float) {
        Kernels.layerNormForward(x, weight: weight, bias: bias, y, mean: mean, invStd: invStd, rows: rows, width: width, eps: eps)
    }

    package static func layerNormBackward(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, weight: UnsafePointer<Float>?,
                                          mean: UnsafePointer<Float>, invStd: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?,
                                          dWeight: UnsafeMutablePointer<Float>?, dBias: UnsafeMutablePointer<Float>?, rows: Int,
                                          width: Int) {
        Kernels.layerNormBackward(x, g, weight: weight, mean: mean, invStd: invStd, dx: dx, dWeight: dWeight, dBias: dBias,
                                  rows: rows, width: width)
    }
}
