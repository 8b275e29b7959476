/// The kernels that ops, gradients, optimizers and augmentations run, on raw buffers and sizes
/// (never tensors): one requirement per primitive's forward and backward, plus the optimizer updates
/// and the image kernels. A second backend is one more conformance; `ReferenceBackend` is the plain-loop
/// one the CPU kernels are tested against.
///
/// The requirements are static: a backend is a type, and `Backends.current` a metatype, which every op
/// reads and which copies as two words (an existential value would copy through its value witnesses).
///
/// Every output buffer is allocated by the caller at its full size and may hold garbage: a kernel
/// writes every element unless its documentation says it accumulates or leaves some as they are.
/// Callers run kernels on the backend of their task, `Backends.current`.
///
/// ```swift
/// Backends.current.sum(x, out, outer: 2, n: 3, inner: 4)   // out[o, i] = Σ_j x[o, j, i]
/// ```
package protocol Backend: Sendable {
    /// A short name, as `NABLA_BACKEND` spells it ("cpu", "reference").
    static var name: String { get }

    // MARK: - Elementwise

    /// y[i] = f(x[i]) over `count` elements; `y` may equal `x`.
    static func unary<F: UnaryFunction>(_ f: F, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int)
    /// dx[i] = g[i]·f′ over `count` elements, at x[i], or at y[i] = f(x[i]) when `F.derivativeInput`
    /// is `.output` (then `y` is given).
    static func unaryBackward<F: UnaryFunction>(_ f: F, x: UnsafePointer<Float>, y: UnsafePointer<Float>?, g: UnsafePointer<Float>,
                                                dx: UnsafeMutablePointer<Float>, count: Int)

    /// out = op(a, b) over the contiguous `shape`, each operand read through its broadcast strides.
    static func binary(_ op: BinaryOp, _ a: BroadcastOperand, _ b: BroadcastOperand, _ out: UnsafeMutablePointer<Float>, shape: [Int])
    /// out = op(a, b) ? 1 : 0, broadcast as `binary`.
    static func compare(_ op: CompareOp, _ a: BroadcastOperand, _ b: BroadcastOperand, _ out: UnsafeMutablePointer<Float>, shape: [Int])
    /// out[i] = mask[i] ≠ 0 ? a[i] : b[i] over `count` elements.
    static func select(mask: UnsafePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                _ out: UnsafeMutablePointer<Float>, count: Int)

    // MARK: - Reductions, viewing x as [outer, n, inner] around the reduced axis

    /// out[o, i] = Σ_j x[o, j, i].
    static func sum(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, outer: Int, n: Int, inner: Int)
    /// out[o, i] = max_j x[o, j, i] and index[o, i] = the first j attaining it; a NaN wins, as in PyTorch.
    static func max(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, index: UnsafeMutablePointer<Int32>,
             outer: Int, n: Int, inner: Int)
    /// dx[o, index[o, i], i] = g[o, i], and 0 elsewhere.
    static func maxBackward(_ g: UnsafePointer<Float>, index: UnsafePointer<Int32>, _ dx: UnsafeMutablePointer<Float>,
                     outer: Int, n: Int, inner: Int)
    /// Softmax along the middle axis, y[o, j, i] = e^x[o, j, i] / Σ_k e^x[o, k, i] (shifted by the maximum),
    /// or its logarithm when `log`.
    static func softmax(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, outer: Int, n: Int, inner: Int, log: Bool)
    /// The gradient of `softmax` from its output y: dx = y·(g − Σ_k g·y), or dx = g − e^y·Σ_k g when `log`,
    /// the sums taken along the middle axis.
    static func softmaxBackward(_ y: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                                outer: Int, n: Int, inner: Int, log: Bool)
    /// Accumulates: dst[Σ_d index_d·strides[d]] += src[index] for every index of the contiguous `shape`;
    /// with strides 0 along broadcast dimensions this is the gradient of a broadcast.
    static func sumBroadcast(_ src: UnsafePointer<Float>, shape: [Int], into dst: UnsafeMutablePointer<Float>, strides: [Int])

    // MARK: - Movement

    /// dst[index] = src[offset + Σ_d index_d·strides[d]] for every index of the contiguous `shape`.
    static func stridedRead(_ src: UnsafePointer<Float>, offset: Int, strides: [Int], _ dst: UnsafeMutablePointer<Float>, shape: [Int])
    /// dst[offset + Σ_d index_d·strides[d]] = src[index] for every index of the contiguous `shape`;
    /// other elements of dst are left as they are.
    static func stridedWrite(_ src: UnsafePointer<Float>, shape: [Int], _ dst: UnsafeMutablePointer<Float>, offset: Int, strides: [Int])
    /// out[o, k, i] = x[o, index[k], i], x being [outer, n, inner].
    static func indexSelect(_ x: UnsafePointer<Float>, index: [Int32], _ out: UnsafeMutablePointer<Float>, outer: Int, n: Int, inner: Int)
    /// The adjoint of `indexSelect`: dx = 0, then dx[o, index[k], i] += g[o, k, i].
    static func indexAdd(_ g: UnsafePointer<Float>, index: [Int32], _ dx: UnsafeMutablePointer<Float>, outer: Int, n: Int, inner: Int)
    /// out[p] = x[p with its `axis` coordinate replaced by index[p]] for every position p of `indexShape`,
    /// which has x's rank and no larger a size outside `axis`.
    static func gather(_ x: UnsafePointer<Float>, xShape: [Int], index: [Int32], indexShape: [Int], axis: Int,
                _ out: UnsafeMutablePointer<Float>)
    /// The adjoint of `gather`: dx = 0, then dx[source(p)] += g[p].
    static func scatterAdd(_ g: UnsafePointer<Float>, xShape: [Int], index: [Int32], indexShape: [Int], axis: Int,
                    _ dx: UnsafeMutablePointer<Float>)

    // MARK: - Linear algebra and convolution

    /// C = op(A)·op(B) per batch entry (see `MatmulShape`); k > 0 and C is not empty.
    static func matmul(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ s: MatmulShape)
    /// y[n, o, oh, ow] = bias[o] + Σ_{c, ki, kj} weight[o, c, ki, kj]·x[n, c, oh·s − p + ki·d, ow·s − p + kj·d]
    /// (0 outside x); no bias when nil.
    static func conv2dForward(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                       _ y: UnsafeMutablePointer<Float>, _ s: ConvShape)
    /// The gradients of `conv2dForward` from dy; each is computed only where its buffer is given.
    static func conv2dBackward(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                        dx: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>?,
                        dBias: UnsafeMutablePointer<Float>?, _ s: ConvShape)

    // MARK: - Pooling

    /// y = the maximum of each window, padding counting as −∞; winners = its flat position in the input
    /// plane (the first one; a NaN wins), −1 for a window wholly in the padding.
    static func maxPool2d(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, winners: UnsafeMutablePointer<Int32>, _ s: PoolShape)
    /// dx = 0, then dx[winner] += dy for every window.
    static func maxPool2dBackward(_ dy: UnsafePointer<Float>, winners: UnsafePointer<Int32>, _ dx: UnsafeMutablePointer<Float>, _ s: PoolShape)
    /// y = the mean of each window, as PyTorch divides: by the window clipped to the padded input when
    /// `countIncludePad`, else by the number of input elements in it.
    static func avgPool2d(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ s: PoolShape, countIncludePad: Bool)
    /// The adjoint of `avgPool2d`: dx = 0, then every window spreads dy / divisor over its input elements.
    static func avgPool2dBackward(_ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ s: PoolShape, countIncludePad: Bool)

    // MARK: - Batch normalization

    /// The mean and the biased variance of each channel over its batch × spatial values.
    static func channelStatistics(_ x: UnsafePointer<Float>, _ layout: ChannelLayout,
                           mean: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>)
    /// y = x·scale[c] + shift[c] for every value of channel c.
    static func channelAffine(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ layout: ChannelLayout,
                       scale: UnsafePointer<Float>, shift: UnsafePointer<Float>)
    /// With x̂ = (x − mean)·invStd over the M values of each channel: dbias = Σ g, dweight = Σ g·x̂ and,
    /// when dx is given, dx = weight·invStd·(g − Σg/M − x̂·Σ(g·x̂)/M).
    static func batchNormBackward(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ layout: ChannelLayout,
                           mean: UnsafePointer<Float>, invStd: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                           dx: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>)
    /// The first half of `batchNormBackward`, for batch norm over several processes: Σ g and
    /// Σ g·(x − mean) of each channel, in Double, which the processes add up before `batchNormInputGradient`.
    static func batchNormGradientSums(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ layout: ChannelLayout,
                               mean: UnsafePointer<Float>, sumG: UnsafeMutablePointer<Double>, sumGX: UnsafeMutablePointer<Double>)
    /// The second half: dx = weight·invStd·(g − Σg/M − x̂·invStd·Σ(g·(x − mean))/M), with the sums and
    /// the count M of values per channel given (over every process).
    static func batchNormInputGradient(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ layout: ChannelLayout,
                                mean: UnsafePointer<Float>, invStd: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                sumG: UnsafePointer<Double>, sumGX: UnsafePointer<Double>, count: Double,
                                dx: UnsafeMutablePointer<Float>)
    /// Layer normalization of `rows` rows of `width` values each: per row the mean and invStd = 1/√(var + eps)
    /// with the biased variance, and y = (x − mean)·invStd·weight + bias, weight and bias [width] (1 and 0 when nil).
    static func layerNormForward(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?,
                                 _ y: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>,
                                 invStd: UnsafeMutablePointer<Float>, rows: Int, width: Int, eps: Float)
    /// Its gradient, with x̂ = (x − mean)·invStd and ĝ = g·weight per row of `width` values:
    /// dx = invStd·(ĝ − Σĝ/width − x̂·Σ(ĝ·x̂)/width), dWeight = Σ_rows g·x̂ and dBias = Σ_rows g; outputs given as nil
    /// are not computed.
    static func layerNormBackward(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, weight: UnsafePointer<Float>?,
                                  mean: UnsafePointer<Float>, invStd: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?,
                                  dWeight: UnsafeMutablePointer<Float>?, dBias: UnsafeMutablePointer<Float>?, rows: Int, width: Int)

    // MARK: - LSTM

    /// A whole LSTM layer with PyTorch's gates i, f, g, o (see `LSTMShape` for the layouts): writes h_1…h_T
    /// and c_T to `out` and fills every `saved` buffer. `h0`, `c0` and `bias` are zeros when nil.
    static func lstmForward(_ x: UnsafePointer<Float>, h0: UnsafePointer<Float>?, c0: UnsafePointer<Float>?,
                     weightIH: UnsafePointer<Float>, weightHH: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                     out: UnsafeMutablePointer<Float>, saved: LSTMBuffers, _ s: LSTMShape)
    /// Back-propagation through time from the gradient of `out` and the `saved` buffers of the forward pass.
    static func lstmBackward(_ gradOut: UnsafePointer<Float>, weightIH: UnsafePointer<Float>, weightHH: UnsafePointer<Float>,
                      saved: LSTMBuffers, grads: LSTMGradients, _ s: LSTMShape)

    // MARK: - Attention

    /// out = dropout(softmax(q·kᵀ·scale + mask))·v for every (batch, head), each query row over its
    /// `keyLimit` keys only (see `AttentionShape`); a row whose keys are all masked out (−∞) gives zeros,
    /// as PyTorch's `scaled_dot_product_attention` does. Fills `buffers.weights` when given.
    static func attentionForward(_ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ v: UnsafePointer<Float>,
                                 out: UnsafeMutablePointer<Float>, buffers: AttentionBuffers, _ s: AttentionShape)
    /// The gradients of `attentionForward` from `gradOut` (laid out as the output), given the buffers its forward
    /// pass filled (weights included); each is computed only where its buffer is given, laid out as its operand,
    /// so that dq, dk and dv of packed operands may share one buffer.
    static func attentionBackward(_ gradOut: UnsafePointer<Float>, _ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>,
                                  _ v: UnsafePointer<Float>, buffers: AttentionBuffers, grads: AttentionGradients,
                                  _ s: AttentionShape)

    // MARK: - Optimizer updates, in place on one parameter p (given its gradient g) and its state buffers

    /// One SGD step (see `SGDStep`); `momentumBuffer` is nil without momentum.
    static func sgdStep(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, momentumBuffer: UnsafeMutablePointer<Float>?,
                 count: Int, _ c: SGDStep)
    /// One AdaGrad step (see `AdaGradStep`).
    static func adaGradStep(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, sum: UnsafeMutablePointer<Float>,
                     count: Int, _ c: AdaGradStep)
    /// One RMSProp step (see `RMSPropStep`); `gradAvg` is given when centered, `momentumBuffer` with momentum.
    static func rmsPropStep(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, squareAvg: UnsafeMutablePointer<Float>,
                     gradAvg: UnsafeMutablePointer<Float>?, momentumBuffer: UnsafeMutablePointer<Float>?, count: Int, _ c: RMSPropStep)
    /// One Adam or AdamW step (see `AdamStep`); `maxExpAvgSq` is given with AMSGrad.
    static func adamStep(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, expAvg: UnsafeMutablePointer<Float>,
                  expAvgSq: UnsafeMutablePointer<Float>, maxExpAvgSq: UnsafeMutablePointer<Float>?, count: Int, _ c: AdamStep)

    // MARK: - Image augmentation, one CHW image at a time

    /// target[c][y][x] = source[c][y][W − 1 − x].
    static func flipHorizontal(_ source: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>, _ image: ImagePlanes)
    /// target[c][y][x] = source[c][H − 1 − y][x].
    static func flipVertical(_ source: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>, _ image: ImagePlanes)
    /// target[c][y][x] = source[c][y + dy][x + dx] where that source pixel exists; other pixels are left as they are.
    static func shiftedCopy(_ source: UnsafePointer<Float>, _ sourceImage: ImagePlanes, _ target: UnsafeMutablePointer<Float>,
                     _ targetImage: ImagePlanes, dy: Int, dx: Int)
    /// Each target pixel takes the source pixel nearest to `rotation.source(x, y)`, if inside the image.
    static func rotateNearest(_ source: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>, _ image: ImagePlanes,
                       _ rotation: ImageRotation)
    /// Each target pixel mapped inside (−1, W) × (−1, H) takes the bilinear blend of the four source pixels
    /// around `rotation.source(x, y)`, missing neighbours counting as zero; other pixels are left as they are.
    static func rotateBilinear(_ source: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>, _ image: ImagePlanes,
                        _ rotation: ImageRotation)
}
