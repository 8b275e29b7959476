import Foundation

/// The elementwise functions of one tensor, each defined once: value, derivative, what the
/// derivative reads. The `Tensor` methods (`exp()`, `relu()`, `x * 2`…) run them.
public enum Elementwise {}

extension Elementwise {
    /// −x.
    public struct Negate: UnaryFunction {
        public static let name = "neg"
        public static let derivativeInput = DerivativeInput.input
        public init() {}
        public init?(arguments: [String: Float]) {}
        public func value(_ x: Float) -> Float { -x }
        public func derivative(at x: Float) -> Float { -1 }
    }

    /// x·s for a constant s.
    public struct Scale: UnaryFunction {
        public static let name = "mul_scalar"
        public static let derivativeInput = DerivativeInput.input
        public let factor: Float
        public init(_ factor: Float) { self.factor = factor }
        public init?(arguments: [String: Float]) {
            guard let factor = arguments["other"] else { return nil }
            self.factor = factor
        }
        public func value(_ x: Float) -> Float { x * factor }
        public func derivative(at x: Float) -> Float { factor }
    }

    /// x + s for a constant s.
    public struct Shift: UnaryFunction {
        public static let name = "add_scalar"
        public static let derivativeInput = DerivativeInput.input
        public let offset: Float
        public init(_ offset: Float) { self.offset = offset }
        public init?(arguments: [String: Float]) {
            guard let offset = arguments["other"] else { return nil }
            self.offset = offset
        }
        public func value(_ x: Float) -> Float { x + offset }
        public func derivative(at x: Float) -> Float { 1 }
    }

    /// x^p for a constant p; 2, 3, 0.5 and −1 take exact shortcuts.
    public struct Power: UnaryFunction {
        public static let name = "pow_scalar"
        public static let derivativeInput = DerivativeInput.input
        public let exponent: Float
        public init(_ exponent: Float) { self.exponent = exponent }
        public init?(arguments: [String: Float]) {
            guard let exponent = arguments["exponent"] else { return nil }
            self.exponent = exponent
        }
        public func value(_ x: Float) -> Float {
            switch exponent {
            case 1: x
            case 2: x * x
            case 3: x * x * x
            case 0.5: x.squareRoot()
            case -1: 1 / x
            default: Foundation.pow(x, exponent)
            }
        }
        // d/dx x^p = p·x^(p−1)
        public func derivative(at x: Float) -> Float { exponent == 2 ? 2 * x : exponent * Foundation.pow(x, exponent - 1) }

        public func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
            // One loop per exponent, so the shortcut is not re-chosen per element.
            switch exponent {
            case 1: for i in 0..<n { y[i] = x[i] }
            case 2: for i in 0..<n { y[i] = x[i] * x[i] }
            case 3: for i in 0..<n { y[i] = x[i] * x[i] * x[i] }
            case 0.5: for i in 0..<n { y[i] = x[i].squareRoot() }
            case -1: for i in 0..<n { y[i] = 1 / x[i] }
            default: for i in 0..<n { y[i] = Foundation.pow(x[i], exponent) }
            }
        }
    }

    /// |x|; the derivative at 0 is 0, as in PyTorch.
    public struct Absolute: UnaryFunction {
        public static let name = "abs"
        public static let derivativeInput = DerivativeInput.input
        public init() {}
        public init?(arguments: [String: Float]) {}
        public func value(_ x: Float) -> Float { Swift.abs(x) }
        public func derivative(at x: Float) -> Float { x > 0 ? 1 : (x < 0 ? -1 : 0) }
    }

    /// x limited to [min, max]; the gradient passes inside the range, bounds included.
    public struct Clamp: UnaryFunction {
        public static let name = "clamp"
        public static let derivativeInput = DerivativeInput.input
        public let min: Float, max: Float
        public init(min: Float, max: Float) { (self.min, self.max) = (min, max) }
        public init?(arguments: [String: Float]) {
            self.init(min: arguments["min"] ?? -.infinity, max: arguments["max"] ?? .infinity)
        }
        public func value(_ x: Float) -> Float { Swift.min(Swift.max(x, min), max) }
        public func derivative(at x: Float) -> Float { x >= min && x <= max ? 1 : 0 }
    }

    /// eˣ; its derivative is its output.
    public struct Exp: UnaryFunction {
        public static let name = "exp"
        public static let derivativeInput = DerivativeInput.output
        public init() {}
        public init?(arguments: [String: Float]) {}
        public func value(_ x: Float) -> Float { Foundation.exp(x) }
        public func derivative(at y: Float) -> Float { y }
        public func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) { VectorMath.exp(x, y, n) }
        public func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>?, g: UnsafePointer<Float>,
                             dx: UnsafeMutablePointer<Float>, _ n: Int) {
            Kernels.simdZip(y!, g, dx, n) { yv, gv in gv * yv }
        }
    }

    /// Natural logarithm; d/dx ln x = 1/x.
    public struct Log: UnaryFunction {
        public static let name = "log"
        public static let derivativeInput = DerivativeInput.input
        public init() {}
        public init?(arguments: [String: Float]) {}
        public func value(_ x: Float) -> Float { Foundation.log(x) }
        public func derivative(at x: Float) -> Float { 1 / x }
        public func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) { VectorMath.log(x, y, n) }
        public func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>?, g: UnsafePointer<Float>,
                             dx: UnsafeMutablePointer<Float>, _ n: Int) {
            for i in 0..<n { dx[i] = g[i] / x[i] }
        }
    }

    /// √x; d/dx √x = 1/(2√x), read from the output.
    public struct SquareRoot: UnaryFunction {
        public static let name = "sqrt"
        public static let derivativeInput = DerivativeInput.output
        public init() {}
        public init?(arguments: [String: Float]) {}
        public func value(_ x: Float) -> Float { x.squareRoot() }
        public func derivative(at y: Float) -> Float { 1 / (2 * y) }
        public func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>?, g: UnsafePointer<Float>,
                             dx: UnsafeMutablePointer<Float>, _ n: Int) {
            for i in 0..<n { dx[i] = g[i] / (2 * y![i]) }
        }
    }

    /// sin x; d/dx sin x = cos x.
    public struct Sine: UnaryFunction {
        public static let name = "sin"
        public static let derivativeInput = DerivativeInput.input
        public init() {}
        public init?(arguments: [String: Float]) {}
        public func value(_ x: Float) -> Float { Foundation.sin(x) }
        public func derivative(at x: Float) -> Float { Foundation.cos(x) }
    }

    /// cos x; d/dx cos x = −sin x.
    public struct Cosine: UnaryFunction {
        public static let name = "cos"
        public static let derivativeInput = DerivativeInput.input
        public init() {}
        public init?(arguments: [String: Float]) {}
        public func value(_ x: Float) -> Float { Foundation.cos(x) }
        public func derivative(at x: Float) -> Float { -Foundation.sin(x) }
    }
}
