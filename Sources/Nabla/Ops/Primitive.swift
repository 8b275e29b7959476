/// Elementwise functions of one tensor that have their own kernel.
public enum UnaryOp: Equatable, Sendable {
    case neg, exp, log, sqrt, abs, tanh, sigmoid, relu, gelu, sin, cos, softplus
    case leakyRelu(negativeSlope: Float)
    case elu(alpha: Float)
    case clamp(min: Float, max: Float)
    case powScalar(Float)
    case scale(Float)
    case shift(Float)

    /// Whether the gradient reads the op's output instead of its input.
    var gradientUsesOutput: Bool {
        switch self {
        case .exp, .tanh, .sigmoid, .sqrt: return true
        default: return false
        }
    }
}

/// Elementwise functions of two tensors, broadcast by numpy's rules.
public enum BinaryOp: Equatable, Sendable {
    case add, sub, mul, div, pow, maximum, minimum
}

/// Comparisons; they produce 0/1 masks and carry no gradient.
public enum CompareOp: Equatable, Sendable {
    case less, lessEqual, greater, greaterEqual, equal, notEqual
}

/// The geometry of a 2-D convolution or pooling window over NCHW data.
public struct Window2d: Equatable, Sendable {
    public var kernel: (h: Int, w: Int)
    public var stride: (h: Int, w: Int)
    public var padding: (h: Int, w: Int)
    public var dilation: (h: Int, w: Int)

    public init(kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int) = (1, 1)) {
        self.kernel = (kernel.0, kernel.1)
        self.stride = (stride.0, stride.1)
        self.padding = (padding.0, padding.1)
        self.dilation = (dilation.0, dilation.1)
    }

    public static func == (a: Window2d, b: Window2d) -> Bool {
        a.kernel == b.kernel && a.stride == b.stride && a.padding == b.padding && a.dilation == b.dilation
    }

    /// Output extent along one axis, as in PyTorch (floor mode).
    func outputSize(_ input: Int, kernel k: Int, stride s: Int, padding p: Int, dilation d: Int) -> Int {
        let span = input + 2 * p - d * (k - 1) - 1
        // Floor division, so a window larger than its input gives ≤ 0 (an error), as in PyTorch.
        return span < 0 ? 0 : span / s + 1
    }

    public func outputHeight(_ h: Int) -> Int { outputSize(h, kernel: kernel.h, stride: stride.h, padding: padding.h, dilation: dilation.h) }
    public func outputWidth(_ w: Int) -> Int { outputSize(w, kernel: kernel.w, stride: stride.w, padding: padding.w, dilation: dilation.w) }
}

/// Integer indices kept by a node (gather positions, max-pool winners).
final class IndexStorage: @unchecked Sendable {
    let values: [Int32]
    init(_ values: [Int32]) { self.values = values }
}

/// The per-channel batch statistics a batch-norm node keeps for its gradient.
final class ChannelStatistics: @unchecked Sendable {
    let mean: TensorStorage, invStd: TensorStorage
    init(mean: TensorStorage, invStd: TensorStorage) {
        self.mean = mean
        self.invStd = invStd
    }
}

/// The primitive operations: everything else in Nabla is composed from these.
/// Each case has a kernel in `Backend` and exactly one gradient in `Autograd/Gradients.swift`.
enum Primitive {
    case leaf
    case unary(UnaryOp)
    case binary(BinaryOp)
    /// inputs: a, b; the 0/1 mask is kept here.
    case select(mask: Tensor)
    /// Sum over one axis, keeping it with size 1.
    case sum(axis: Int)
    /// Max over one axis, keeping it with size 1; `indices` are the winners' positions along the axis.
    case max(axis: Int, indices: IndexStorage)
    case matmul(transA: Bool, transB: Bool)
    case reshape
    case permute([Int])
    case expand
    /// Elements `start ..< start + length` along `axis`.
    case slice(axis: Int, start: Int, length: Int)
    case pad(before: [Int], after: [Int], value: Float)
    case concat(axis: Int)
    /// `out[…, i, …] = in[…, index[…, i, …], …]` along `axis`; `index` has the output's shape.
    case gather(axis: Int, index: IndexStorage)
    /// Picks whole slices along `axis`.
    case indexSelect(axis: Int, index: IndexStorage)
    case conv2d(Window2d, hasBias: Bool)
    case maxPool2d(Window2d, winners: IndexStorage)
    case avgPool2d(Window2d, countIncludePad: Bool)
    /// inputs: x [N, C, …], weight [C], bias [C]; normalized with the batch's own statistics.
    case batchNorm(ChannelStatistics)
    case softmax(axis: Int)
    case logSoftmax(axis: Int)
    /// A whole LSTM layer over a sequence; inputs x, W_ih, W_hh, then bias, h0, c0 where given.
    case lstm(LSTMSaved)
}
