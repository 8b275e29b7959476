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
