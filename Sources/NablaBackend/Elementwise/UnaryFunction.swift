/// What the derivative of an elementwise function reads besides the incoming gradient.
public enum DerivativeInput: Sendable {
    /// The input x.
    case input
    /// The output y = f(x), which the forward pass then keeps for the backward pass (as PyTorch does
    /// for exp, tanh and sigmoid).
    case output
}

/// One elementwise function of one tensor, defined in one place: its value, its derivative and what
/// the derivative reads. Kernels are generic over the conforming type, so every loop is specialised
/// at compile time and calls no closure per element.
///
/// `value` and `derivative` are the truth: the reference backend runs them element by element. A
/// type may also override `forward` and `backward` with faster whole-buffer paths (SIMD, threads),
/// which the CPU backend runs and the differential test checks against the scalar definitions.
///
/// ```swift
/// struct Softsign: UnaryFunction {
///     static let name = "softsign"
///     static let derivativeInput = DerivativeInput.input
///     init() {}
///     init?(arguments: [String: Float]) {}
///     func value(_ x: Float) -> Float { x / (1 + Swift.abs(x)) }
///     // d/dx x/(1+|x|) = 1/(1+|x|)²
///     func derivative(at x: Float) -> Float { 1 / ((1 + Swift.abs(x)) * (1 + Swift.abs(x))) }
/// }
/// ```
public protocol UnaryFunction: Sendable {
    /// PyTorch's name for the function, as the golden fixtures call it ("leaky_relu").
    static var name: String { get }
    /// Whether `derivative(at:)` takes the input x or the output y.
    static var derivativeInput: DerivativeInput { get }
    /// Builds the function from named arguments, as a golden fixture gives them
    /// (`["negative_slope": 0.2]`); nil when a required one is missing.
    init?(arguments: [String: Float])
    /// f(x).
    func value(_ x: Float) -> Float
    /// f′ at x, or at y = f(x) when `derivativeInput` is `.output`.
    func derivative(at v: Float) -> Float
    /// y[i] = f(x[i]) for i < n; `y` may equal `x`.
    func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int)
    /// dx[i] = g[i]·f′(x[i]); `y` holds f(x) when `derivativeInput` is `.output`, and is nil otherwise.
    func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>?, g: UnsafePointer<Float>,
                  dx: UnsafeMutablePointer<Float>, _ n: Int)
}

extension UnaryFunction {
    public func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        UnaryLoops.forward(self, x, y, n)
    }

    public func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>?, g: UnsafePointer<Float>,
                         dx: UnsafeMutablePointer<Float>, _ n: Int) {
        UnaryLoops.backward(self, x: x, y: y, g: g, dx: dx, n)
    }

    /// The name, for messages.
    public var name: String { Self.name }
}

/// The plain element-by-element loops over a function's scalar definitions: the default fast path
/// for functions that have no SIMD one, and the whole of the reference backend.
public enum UnaryLoops {
    @inline(__always)
    public static func forward<F: UnaryFunction>(_ f: F, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        for i in 0..<n { y[i] = f.value(x[i]) }
    }

    @inline(__always)
    public static func backward<F: UnaryFunction>(_ f: F, x: UnsafePointer<Float>, y: UnsafePointer<Float>?,
                                                  g: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, _ n: Int) {
        let at = F.derivativeInput == .output ? y! : x
        for i in 0..<n { dx[i] = g[i] * f.derivative(at: at[i]) }
    }
}
