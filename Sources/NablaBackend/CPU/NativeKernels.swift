import NablaKernelsC

/// The C fast paths of one SIMD variant (NablaKernelsC), for the kernels that call them: the Adam, SGD, AdaGrad and
/// RMSProp updates, the LSTM cell, ReLU, tanh, sigmoid, GELU and SiLU forward and backward, softmax rows forward and
/// backward, and batch normalization's statistics, affine map and backward sums and input gradient. Each gives the same
/// bits as the Swift path it replaces, with wider vectors (the batch-norm sums keep Swift's eight lanes and interleave
/// runs instead); `SIMDVariant.baseline` has none, so the Swift path runs.
/// A class, so that looking the table up costs a reference, not a copy of every pointer in it.
final class NativeKernels: Sendable {
    typealias Map = @convention(c) (UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int) -> Void
    typealias Zip = @convention(c) (UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int) -> Void
    typealias Adam = @convention(c) (UnsafeMutablePointer<Float>?, UnsafePointer<Float>?, UnsafeMutablePointer<Float>?,
                                     UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Float>?, Int,
                                     UnsafePointer<NablaAdamConstants>?) -> Void
    typealias SGD = @convention(c) (UnsafeMutablePointer<Float>?, UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int,
                                    UnsafePointer<NablaSGDConstants>?) -> Void
    typealias AdaGrad = @convention(c) (UnsafeMutablePointer<Float>?, UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int,
                                        UnsafePointer<NablaAdaGradConstants>?) -> Void
    typealias RMSProp = @convention(c) (UnsafeMutablePointer<Float>?, UnsafePointer<Float>?, UnsafeMutablePointer<Float>?,
                                        UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Float>?, Int,
                                        UnsafePointer<NablaRMSPropConstants>?) -> Void
    typealias CellForward = @convention(c) (UnsafeMutablePointer<Float>?, UnsafePointer<Float>?, UnsafePointer<Float>?,
                                            UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Float>?,
                                            UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Float>?, Int) -> Void
    typealias CellBackward = @convention(c) (UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafePointer<Float>?,
                                             UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafeMutablePointer<Float>?,
                                             UnsafeMutablePointer<Float>?, Int) -> Void
    /// (x, y, rows, n, log): softmax or log-softmax of `rows` contiguous rows of n.
    typealias SoftmaxRows = @convention(c) (UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int, Int, Int32) -> Void
    /// (y, g, dx, rows, n, log): their gradient from the output.
    typealias SoftmaxBackwardRows = @convention(c) (UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafeMutablePointer<Float>?,
                                                    Int, Int, Int32) -> Void
    typealias ChannelStatistics = @convention(c) (UnsafePointer<Float>?, NablaChannelRange, UnsafeMutablePointer<Float>?,
                                                  UnsafeMutablePointer<Float>?) -> Void
    typealias ChannelAffine = @convention(c) (UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, NablaChannelRange,
                                              UnsafePointer<Float>?, UnsafePointer<Float>?) -> Void
    typealias GradientSums = @convention(c) (UnsafePointer<Float>?, UnsafePointer<Float>?, NablaChannelRange, UnsafePointer<Float>?,
                                             UnsafeMutablePointer<Double>?, UnsafeMutablePointer<Double>?) -> Void
    typealias InputGradient = @convention(c) (UnsafePointer<Float>?, UnsafePointer<Float>?, NablaChannelRange,
                                              UnsafePointer<NablaInputGradientOperands>?, UnsafeMutablePointer<Float>?) -> Void

    let adam: Adam, sgd: SGD, adaGrad: AdaGrad, rmsProp: RMSProp
    let reluForward: Map, reluBackward: Zip
    let tanhForward: Map, tanhBackward: Zip
    let sigmoidForward: Map, sigmoidBackward: Zip
    let geluForward: Map, geluBackward: Zip
    let siluForward: Map, siluBackward: Zip
    let lstmForward: CellForward, lstmBackward: CellBackward
    let softmaxRows: SoftmaxRows, softmaxBackwardRows: SoftmaxBackwardRows
    let channelStatistics: ChannelStatistics, channelAffine: ChannelAffine
    let gradientSums: GradientSums, inputGradient: InputGradient

    init(adam: Adam, sgd: SGD, adaGrad: AdaGrad, rmsProp: RMSProp, reluForward: Map, reluBackward: Zip,
         tanhForward: Map, tanhBackward: Zip, sigmoidForward: Map, sigmoidBackward: Zip, geluForward: Map, geluBackward: Zip,
         siluForward: Map, siluBackward: Zip, lstmForward: CellForward, lstmBackward: CellBackward,
         softmaxRows: SoftmaxRows, softmaxBackwardRows: SoftmaxBackwardRows, channelStatistics: ChannelStatistics,
         channelAffine: ChannelAffine, gradientSums: GradientSums, inputGradient: InputGradient) {
        self.adam = adam
        self.sgd = sgd
        self.adaGrad = adaGrad
        self.rmsProp = rmsProp
        self.reluForward = reluForward
        self.reluBackward = reluBackward
        self.tanhForward = tanhForward
        self.tanhBackward = tanhBackward
        self.sigmoidForward = sigmoidForward
        self.sigmoidBackward = sigmoidBackward
        self.geluForward = geluForward
        self.geluBackward = geluBackward
        self.siluForward = siluForward
        self.siluBackward = siluBackward
        self.lstmForward = lstmForward
        self.lstmBackward = lstmBackward
        self.softmaxRows = softmaxRows
        self.softmaxBackwardRows = softmaxBackwardRows
        self.channelStatistics = channelStatistics
        self.channelAffine = channelAffine
        self.gradientSums = gradientSums
        self.inputGradient = inputGradient
    }

    /// The fast paths of `SIMDVariant.current`, or nil for the portable path.
    static var current: NativeKernels? { of(SIMDVariant.current) }

    static func of(_ variant: SIMDVariant) -> NativeKernels? {
        switch variant {
        case .baseline: nil
        case .avx2: avx2
        case .avx512: avx512
        }
    }

    #if arch(x86_64)
    private static let avx2: NativeKernels? = NativeKernels(
        adam: nabla_adam_avx2, sgd: nabla_sgd_avx2, adaGrad: nabla_adagrad_avx2, rmsProp: nabla_rmsprop_avx2,
        reluForward: nabla_relu_forward_avx2, reluBackward: nabla_relu_backward_avx2,
        tanhForward: nabla_tanh_forward_avx2, tanhBackward: nabla_tanh_backward_avx2,
        sigmoidForward: nabla_sigmoid_forward_avx2, sigmoidBackward: nabla_sigmoid_backward_avx2,
        geluForward: nabla_gelu_forward_avx2, geluBackward: nabla_gelu_backward_avx2,
        siluForward: nabla_silu_forward_avx2, siluBackward: nabla_silu_backward_avx2,
        lstmForward: nabla_lstm_forward_avx2, lstmBackward: nabla_lstm_backward_avx2,
        softmaxRows: nabla_softmax_rows_avx2, softmaxBackwardRows: nabla_softmax_backward_rows_avx2,
        channelStatistics: nabla_bn_statistics_avx2, channelAffine: nabla_bn_affine_avx2,
        gradientSums: nabla_bn_gradient_sums_avx2, inputGradient: nabla_bn_input_gradient_avx2)

    private static let avx512: NativeKernels? = NativeKernels(
        adam: nabla_adam_avx512, sgd: nabla_sgd_avx512, adaGrad: nabla_adagrad_avx512, rmsProp: nabla_rmsprop_avx512,
        reluForward: nabla_relu_forward_avx512, reluBackward: nabla_relu_backward_avx512,
        tanhForward: nabla_tanh_forward_avx512, tanhBackward: nabla_tanh_backward_avx512,
        sigmoidForward: nabla_sigmoid_forward_avx512, sigmoidBackward: nabla_sigmoid_backward_avx512,
        geluForward: nabla_gelu_forward_avx512, geluBackward: nabla_gelu_backward_avx512,
        siluForward: nabla_silu_forward_avx512, siluBackward: nabla_silu_backward_avx512,
        lstmForward: nabla_lstm_forward_avx512, lstmBackward: nabla_lstm_backward_avx512,
        softmaxRows: nabla_softmax_rows_avx512, softmaxBackwardRows: nabla_softmax_backward_rows_avx512,
        channelStatistics: nabla_bn_statistics_avx512, channelAffine: nabla_bn_affine_avx512,
        gradientSums: nabla_bn_gradient_sums_avx512, inputGradient: nabla_bn_input_gradient_avx512)
    #else
    // Only x86-64 has variants; elsewhere `SIMDVariant.supported` is [.baseline].
    private static let avx2: NativeKernels? = nil
    private static let avx512: NativeKernels? = nil
    #endif

    /// dx = g·f′ through a C backward kernel, where `at` is what it reads (x or y = f(x)), split
    /// across cores in chunks of `Kernels.parallelGrain`.
    static func run(_ kernel: Zip, _ at: UnsafePointer<Float>, _ g: UnsafePointer<Float>,
                    _ dx: UnsafeMutablePointer<Float>, _ n: Int) {
        Parallel.forEachChunk(count: n, minChunk: Kernels.parallelGrain) { r in
            kernel(at + r.lowerBound, g + r.lowerBound, dx + r.lowerBound, r.count)
        }
    }
}
