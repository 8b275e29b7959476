import NablaKernelsC

/// The C fast paths of one SIMD variant (NablaKernelsC), for the kernels that call them: the Adam update,
/// the LSTM cell, and ReLU, tanh and sigmoid forward and backward. Each gives the same bits as the Swift
/// path it replaces, with wider vectors; `SIMDVariant.baseline` has none, so the Swift path runs.
struct NativeKernels: Sendable {
    typealias Map = @convention(c) (UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int) -> Void
    typealias Zip = @convention(c) (UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int) -> Void
    typealias Adam = @convention(c) (UnsafeMutablePointer<Float>?, UnsafePointer<Float>?, UnsafeMutablePointer<Float>?,
                                     UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Float>?, Int,
                                     UnsafePointer<NablaAdamConstants>?) -> Void
    typealias CellForward = @convention(c) (UnsafeMutablePointer<Float>?, UnsafePointer<Float>?, UnsafePointer<Float>?,
                                            UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Float>?,
                                            UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Float>?, Int) -> Void
    typealias CellBackward = @convention(c) (UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafePointer<Float>?,
                                             UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafeMutablePointer<Float>?,
                                             UnsafeMutablePointer<Float>?, Int) -> Void

    let adam: Adam
    let reluForward: Map, reluBackward: Zip
    let tanhForward: Map, tanhBackward: Zip
    let sigmoidForward: Map, sigmoidBackward: Zip
    let lstmForward: CellForward, lstmBackward: CellBackward

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
        adam: nabla_adam_avx2, reluForward: nabla_relu_forward_avx2, reluBackward: nabla_relu_backward_avx2,
        tanhForward: nabla_tanh_forward_avx2, tanhBackward: nabla_tanh_backward_avx2,
        sigmoidForward: nabla_sigmoid_forward_avx2, sigmoidBackward: nabla_sigmoid_backward_avx2,
        lstmForward: nabla_lstm_forward_avx2, lstmBackward: nabla_lstm_backward_avx2)

    private static let avx512: NativeKernels? = NativeKernels(
        adam: nabla_adam_avx512, reluForward: nabla_relu_forward_avx512, reluBackward: nabla_relu_backward_avx512,
        tanhForward: nabla_tanh_forward_avx512, tanhBackward: nabla_tanh_backward_avx512,
        sigmoidForward: nabla_sigmoid_forward_avx512, sigmoidBackward: nabla_sigmoid_backward_avx512,
        lstmForward: nabla_lstm_forward_avx512, lstmBackward: nabla_lstm_backward_avx512)
    #else
    // Only x86-64 has variants; elsewhere `SIMDVariant.supported` is [.baseline].
    private static let avx2: NativeKernels? = nil
    private static let avx512: NativeKernels? = nil
    #endif

    /// y = f(x) for the functions with a C path, else nil.
    func forward<F: UnaryFunction>(_: F.Type) -> Map? {
        if F.self == Elementwise.ReLU.self { return reluForward }
        if F.self == Elementwise.Tanh.self { return tanhForward }
        if F.self == Elementwise.Sigmoid.self { return sigmoidForward }
        return nil
    }

    /// dx = g·f′ from what `F.derivativeInput` names, for the functions with a C path, else nil.
    func backward<F: UnaryFunction>(_: F.Type) -> Zip? {
        if F.self == Elementwise.ReLU.self { return reluBackward }
        if F.self == Elementwise.Tanh.self { return tanhBackward }
        if F.self == Elementwise.Sigmoid.self { return sigmoidBackward }
        return nil
    }
}
