import NablaBackend

extension Tensor {
    /// Applies an elementwise function in one pass; its gradient is `f`'s derivative.
    package func unary<F: UnaryFunction>(_ f: F) -> Tensor {
        let out = TensorStorage.uninitialized(count: count)
        Backends.current.unary(f, storage.pointer, out.pointer, count: count)
        return .record(.unary(f), input: self, shape: shape, storage: out, saveOutput: F.derivativeInput == .output)
    }

    /// Applies a binary primitive with numpy broadcasting.
    func binary(_ op: BinaryOp, _ other: Tensor, name: String) -> Tensor {
        let outShape = Shape.broadcastOrFail(name, shape, other.shape)
        let out = TensorStorage.uninitialized(count: Shape.count(outShape))
        Backends.current.binary(op, operand(for: outShape), other.operand(for: outShape), out.pointer, shape: outShape)
        return .record(.binary(op), self, other, shape: outShape, storage: out)
    }

    /// This tensor read with the broadcast strides of `outShape`.
    func operand(for outShape: [Int]) -> BroadcastOperand {
        BroadcastOperand(pointer: storage.pointer,
                         strides: shape == outShape ? Shape.strides(shape) : Shape.broadcastStrides(shape, to: outShape))
    }

    func compare(_ op: CompareOp, _ other: Tensor, name: String) -> Tensor {
        let outShape = Shape.broadcastOrFail(name, shape, other.shape)
        let out = TensorStorage.uninitialized(count: Shape.count(outShape))
        Backends.current.compare(op, operand(for: outShape), other.operand(for: outShape), out.pointer, shape: outShape)
        return Tensor(shape: outShape, storage: out, node: nil)
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor { a.binary(.add, b, name: "add") }
    public static func - (a: Tensor, b: Tensor) -> Tensor { a.binary(.sub, b, name: "sub") }
    public static func * (a: Tensor, b: Tensor) -> Tensor { a.binary(.mul, b, name: "mul") }
    public static func / (a: Tensor, b: Tensor) -> Tensor { a.binary(.div, b, name: "div") }
    public static prefix func - (a: Tensor) -> Tensor { a.unary(Elementwise.Negate()) }

    public static func + (a: Tensor, b: Float) -> Tensor { a.unary(Elementwise.Shift(b)) }
    public static func + (a: Float, b: Tensor) -> Tensor { b.unary(Elementwise.Shift(a)) }
    public static func - (a: Tensor, b: Float) -> Tensor { a.unary(Elementwise.Shift(-b)) }
    public static func - (a: Float, b: Tensor) -> Tensor { b.unary(Elementwise.Negate()).unary(Elementwise.Shift(a)) }
    public static func * (a: Tensor, b: Float) -> Tensor { a.unary(Elementwise.Scale(b)) }
    public static func * (a: Float, b: Tensor) -> Tensor { b.unary(Elementwise.Scale(a)) }
    public static func / (a: Tensor, b: Float) -> Tensor { a.unary(Elementwise.Scale(1 / b)) }
    public static func / (a: Float, b: Tensor) -> Tensor { b.unary(Elementwise.Power(-1)).unary(Elementwise.Scale(a)) }

    /// Elementwise power with a tensor exponent (broadcast).
    public func pow(_ exponent: Tensor) -> Tensor { binary(.pow, exponent, name: "pow") }
    /// Elementwise power with a constant exponent.
    public func pow(_ exponent: Float) -> Tensor { unary(Elementwise.Power(exponent)) }
    public func exp() -> Tensor { unary(Elementwise.Exp()) }
    /// Natural logarithm.
    public func log() -> Tensor { unary(Elementwise.Log()) }
    public func sqrt() -> Tensor { unary(Elementwise.SquareRoot()) }
    public func abs() -> Tensor { unary(Elementwise.Absolute()) }
    public func sin() -> Tensor { unary(Elementwise.Sine()) }
    public func cos() -> Tensor { unary(Elementwise.Cosine()) }
    /// The square, `x * x`.
    public func squared() -> Tensor { unary(Elementwise.Power(2)) }
    /// Limits every element to `[min, max]`; the gradient passes only inside the range.
    public func clamp(min: Float = -.infinity, max: Float = .infinity) -> Tensor {
        precondition(min <= max, "clamp: min \(min) is greater than max \(max)")
        return unary(Elementwise.Clamp(min: min, max: max))
    }
    /// Elementwise maximum with broadcasting.
    public func maximum(_ other: Tensor) -> Tensor { binary(.maximum, other, name: "maximum") }
    /// Elementwise minimum with broadcasting.
    public func minimum(_ other: Tensor) -> Tensor { binary(.minimum, other, name: "minimum") }

    /// Picks `a` where `condition` is non-zero and `b` elsewhere, broadcasting all three.
    ///
    /// ```swift
    /// let y = Tensor.where(x .> 0, x, x * 0.1)
    /// ```
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        let ab = Shape.broadcastOrFail("where", a.shape, b.shape)
        let outShape = Shape.broadcastOrFail("where", condition.shape, ab)
        let mask = condition.detached().expand(to: outShape)
        let out = TensorStorage.uninitialized(count: Shape.count(outShape))
        withNoGrad {
            let ea = a.expand(to: outShape), eb = b.expand(to: outShape)
            Backends.current.select(mask: mask.storage.pointer, ea.storage.pointer, eb.storage.pointer, out.pointer, count: out.count)
        }
        return .record(.select(mask: mask), a, b, shape: outShape, storage: out)
    }
}

infix operator .< : ComparisonPrecedence
infix operator .<= : ComparisonPrecedence
infix operator .> : ComparisonPrecedence
infix operator .>= : ComparisonPrecedence
infix operator .== : ComparisonPrecedence
infix operator .!= : ComparisonPrecedence

/// Elementwise comparisons giving 0/1 masks, which carry no gradient.
extension Tensor {
    public static func .< (a: Tensor, b: Tensor) -> Tensor { a.compare(.less, b, name: "less") }
    public static func .<= (a: Tensor, b: Tensor) -> Tensor { a.compare(.lessEqual, b, name: "lessEqual") }
    public static func .> (a: Tensor, b: Tensor) -> Tensor { a.compare(.greater, b, name: "greater") }
    public static func .>= (a: Tensor, b: Tensor) -> Tensor { a.compare(.greaterEqual, b, name: "greaterEqual") }
    public static func .== (a: Tensor, b: Tensor) -> Tensor { a.compare(.equal, b, name: "equal") }
    public static func .!= (a: Tensor, b: Tensor) -> Tensor { a.compare(.notEqual, b, name: "notEqual") }
    public static func .< (a: Tensor, b: Float) -> Tensor { a .< Tensor(b) }
    public static func .<= (a: Tensor, b: Float) -> Tensor { a .<= Tensor(b) }
    public static func .> (a: Tensor, b: Float) -> Tensor { a .> Tensor(b) }
    public static func .>= (a: Tensor, b: Float) -> Tensor { a .>= Tensor(b) }
    public static func .== (a: Tensor, b: Float) -> Tensor { a .== Tensor(b) }
    public static func .!= (a: Tensor, b: Float) -> Tensor { a .!= Tensor(b) }
}
