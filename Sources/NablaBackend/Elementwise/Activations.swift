import Foundation

extension Elementwise {
    /// tanh x; d/dx tanh = 1 − tanh², read from the output.
    public struct Tanh: UnaryFunction {
        public static let name = "tanh"
        public static let derivativeInput = DerivativeInput.output
        public init() {}
        public init?(arguments: [String: Float]) {}
        public func value(_ x: Float) -> Float { Foundation.tanh(x) }
        public func derivative(at y: Float) -> Float { 1 - y * y }
        public func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
            if let kernel = NativeKernels.current?.tanhForward { kernel(x, y, n) } else { VectorMath.tanh(x, y, n) }
        }
        public func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>?, g: UnsafePointer<Float>,
                             dx: UnsafeMutablePointer<Float>, _ n: Int) {
            if let kernel = NativeKernels.current?.tanhBackward { return NativeKernels.run(kernel, y!, g, dx, n) }
            Kernels.simdZip(y!, g, dx, n) { yv, gv in gv * (1 - yv * yv) }
        }
    }

    /// 1 / (1 + e^−x); d/dx σ = σ(1 − σ), read from the output.
    public struct Sigmoid: UnaryFunction {
        public static let name = "sigmoid"
        public static let derivativeInput = DerivativeInput.output
        public init() {}
        public init?(arguments: [String: Float]) {}
        public func value(_ x: Float) -> Float { x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x)) }
        public func derivative(at y: Float) -> Float { y * (1 - y) }
        public func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
            if let kernel = NativeKernels.current?.sigmoidForward { kernel(x, y, n) } else { VectorMath.sigmoid(x, y, n) }
        }
        public func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>?, g: UnsafePointer<Float>,
                             dx: UnsafeMutablePointer<Float>, _ n: Int) {
            if let kernel = NativeKernels.current?.sigmoidBackward { return NativeKernels.run(kernel, y!, g, dx, n) }
            Kernels.simdZip(y!, g, dx, n) { yv, gv in gv * yv * (1 - yv) }
        }
    }

    /// max(x, 0); the derivative at 0 is 0, as in PyTorch.
    public struct ReLU: UnaryFunction {
        public static let name = "relu"
        public static let derivativeInput = DerivativeInput.input
        public init() {}
        public init?(arguments: [String: Float]) {}
        public func value(_ x: Float) -> Float { x > 0 ? x : 0 }
        public func derivative(at x: Float) -> Float { x > 0 ? 1 : 0 }
        public func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
            if let kernel = NativeKernels.current?.reluForward { return kernel(x, y, n) }
            Kernels.simdZip(x, x, y, n) { v, _ in SIMDMath.Vector(repeating: 0).replacing(with: v, where: v .> 0) }
        }
        public func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>?, g: UnsafePointer<Float>,
                             dx: UnsafeMutablePointer<Float>, _ n: Int) {
            if let kernel = NativeKernels.current?.reluBackward { return NativeKernels.run(kernel, x, g, dx, n) }
            // Branch-free: the sign of x is random, so a branch per element mispredicts half the time.
            Kernels.parallelZip(x, g, dx, n) { xv, gv in
                SIMDMath.Vector(repeating: 0).replacing(with: gv, where: xv .> 0)
            }
        }
    }

    /// x for x > 0, else slope·x.
    public struct LeakyReLU: UnaryFunction {
        public static let name = "leaky_relu"
        public static let derivativeInput = DerivativeInput.input
        public let negativeSlope: Float
        public init(negativeSlope: Float) { self.negativeSlope = negativeSlope }
        public init?(arguments: [String: Float]) {
            guard let slope = arguments["negative_slope"] else { return nil }
            negativeSlope = slope
        }
        public func value(_ x: Float) -> Float { x > 0 ? x : negativeSlope * x }
        public func derivative(at x: Float) -> Float { x > 0 ? 1 : negativeSlope }
    }

    /// x for x > 0, else α(eˣ − 1); d/dx = αeˣ below 0.
    public struct ELU: UnaryFunction {
        public static let name = "elu"
        public static let derivativeInput = DerivativeInput.input
        public let alpha: Float
        public init(alpha: Float) { self.alpha = alpha }
        public init?(arguments: [String: Float]) {
            guard let alpha = arguments["alpha"] else { return nil }
            self.alpha = alpha
        }
        public func value(_ x: Float) -> Float { x > 0 ? x : alpha * Foundation.expm1(x) }
        public func derivative(at x: Float) -> Float { x > 0 ? 1 : alpha * Foundation.exp(x) }
    }

    /// SELU: λ·x for x > 0, else λα(eˣ − 1), with the self-normalising constants of Klambauer et al.
    public struct SELU: UnaryFunction {
        public static let name = "selu"
        public static let derivativeInput = DerivativeInput.input
        /// λ and α, as PyTorch writes them.
        public static let scale: Float = 1.0507009873554804934193349852946
        public static let alpha: Float = 1.6732632423543772848170429916717
        public init() {}
        public init?(arguments: [String: Float]) {}
        public func value(_ x: Float) -> Float { x > 0 ? Self.scale * x : Self.scale * Self.alpha * Foundation.expm1(x) }
        // d/dx = λ above 0, λαeˣ below
        public func derivative(at x: Float) -> Float { x > 0 ? Self.scale : Self.scale * Self.alpha * Foundation.exp(x) }
    }

    /// x·Φ(x) with the exact normal CDF, PyTorch's default GELU. The scalar definition is evaluated in
    /// Double through libm's erf; the CPU loops use `SIMDMath.normalCDF`, within 4e-7 of it.
    public struct GELU: UnaryFunction {
        public static let name = "gelu"
        public static let derivativeInput = DerivativeInput.input
        public init() {}
        public init?(arguments: [String: Float]) {}
        public func value(_ x: Float) -> Float {
            let v = Double(x)
            return Float(0.5 * v * (1 + Foundation.erf(v / 2.0.squareRoot())))
        }
        // d/dx x·Φ(x) = Φ(x) + x·φ(x)
        public func derivative(at x: Float) -> Float {
            let v = Double(x)
            let cdf = 0.5 * (1 + Foundation.erf(v / 2.0.squareRoot()))
            let pdf = Foundation.exp(-0.5 * v * v) / (2 * Double.pi).squareRoot()
            return Float(cdf + v * pdf)
        }
        public func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
            if let kernel = NativeKernels.current?.geluForward { kernel(x, y, n) } else { VectorMath.gelu(x, y, n) }
        }
        public func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>?, g: UnsafePointer<Float>,
                             dx: UnsafeMutablePointer<Float>, _ n: Int) {
            if let kernel = NativeKernels.current?.geluBackward { return NativeKernels.run(kernel, x, g, dx, n) }
            Kernels.parallelZip(x, g, dx, n) { xv, gv in
                gv * SIMDMath.geluDerivative(xv)
            }
        }
    }

    /// x·σ(x), also called swish; d/dx = σ(x)(1 + x(1 − σ(x))).
    public struct SiLU: UnaryFunction {
        public static let name = "silu"
        public static let derivativeInput = DerivativeInput.input
        public init() {}
        public init?(arguments: [String: Float]) {}
        public func value(_ x: Float) -> Float { x * Sigmoid().value(x) }
        public func derivative(at x: Float) -> Float {
            let s = Sigmoid().value(x)
            return s * (1 + x * (1 - s))
        }
        public func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
            if let kernel = NativeKernels.current?.siluForward { kernel(x, y, n) } else { VectorMath.silu(x, y, n) }
        }
        public func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>?, g: UnsafePointer<Float>,
                             dx: UnsafeMutablePointer<Float>, _ n: Int) {
            if let kernel = NativeKernels.current?.siluBackward { return NativeKernels.run(kernel, x, g, dx, n) }
            Kernels.parallelZip(x, g, dx, n) { xv, gv in
                let s = SIMDMath.sigmoid(xv)
                return gv * s * (xv * (1 - s) + 1)
            }
        }
    }

    /// log(1 + eˣ) = max(x, 0) + log1p(e^−|x|), which never overflows; its derivative is σ(x).
    public struct Softplus: UnaryFunction {
        public static let name = "softplus"
        public static let derivativeInput = DerivativeInput.input
        public init() {}
        public init?(arguments: [String: Float]) {}
        public func value(_ x: Float) -> Float { Swift.max(x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x))) }
        public func derivative(at x: Float) -> Float {
            let e = Foundation.exp(-Swift.abs(x))
            return x >= 0 ? 1 / (1 + e) : e / (1 + e)
        }
    }

    /// Mish: x·tanh(softplus(x)); d/dx = tanh(sp) + x·(1 − tanh²(sp))·σ(x).
    public struct Mish: UnaryFunction {
        public static let name = "mish"
        public static let derivativeInput = DerivativeInput.input
        public init() {}
        public init?(arguments: [String: Float]) {}
        public func value(_ x: Float) -> Float { x * Foundation.tanh(Softplus().value(x)) }
        public func derivative(at x: Float) -> Float {
            let t = Foundation.tanh(Softplus().value(x))
            return t + x * (1 - t * t) * Softplus().derivative(at: x)
        }
    }

    /// Hardswish: x·min(max(x + 3, 0), 6)/6; the derivative is 0 below −3, x/3 + ½ up to 3 and 1
    /// above, with PyTorch's choice at the two kinks.
    public struct Hardswish: UnaryFunction {
        public static let name = "hardswish"
        public static let derivativeInput = DerivativeInput.input
        public init() {}
        public init?(arguments: [String: Float]) {}
        public func value(_ x: Float) -> Float { x * Swift.min(Swift.max(x + 3, 0), 6) / 6 }
        public func derivative(at x: Float) -> Float { x < -3 ? 0 : (x <= 3 ? x / 3 + 0.5 : 1) }
    }
}
