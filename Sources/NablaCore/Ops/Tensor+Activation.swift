import NablaBackend

/// Activation functions. The elementwise ones are each one fused pass, defined with their
/// derivatives in `Elementwise`; the softmax family has its own primitive.
extension Tensor {
    /// 1 / (1 + e^−x), stable for large |x|.
    public func sigmoid() -> Tensor { unary(Elementwise.Sigmoid()) }
    public func tanh() -> Tensor { unary(Elementwise.Tanh()) }
    /// max(x, 0).
    public func relu() -> Tensor { unary(Elementwise.ReLU()) }
    /// x for x > 0, else `negativeSlope`·x.
    public func leakyRelu(negativeSlope: Float = 0.01) -> Tensor { unary(Elementwise.LeakyReLU(negativeSlope: negativeSlope)) }
    /// x for x > 0, else α(eˣ − 1).
    public func elu(alpha: Float = 1) -> Tensor { unary(Elementwise.ELU(alpha: alpha)) }
    /// x·Φ(x) with the exact normal CDF, PyTorch's default GELU.
    public func gelu() -> Tensor { unary(Elementwise.GELU()) }
    /// x·sigmoid(x), also called swish.
    public func silu() -> Tensor { unary(Elementwise.SiLU()) }
    /// log(1 + eˣ), computed so it never overflows; its derivative is sigmoid(x).
    public func softplus() -> Tensor { unary(Elementwise.Softplus()) }
    /// SELU: λx for x > 0, else λα(eˣ − 1), with λ ≈ 1.0507 and α ≈ 1.6733 (self-normalising).
    public func selu() -> Tensor { unary(Elementwise.SELU()) }
    /// Mish: x·tanh(softplus(x)).
    public func mish() -> Tensor { unary(Elementwise.Mish()) }
    /// Hardswish: x·relu6(x + 3)/6, a cheap swish used by MobileNetV3.
    public func hardswish() -> Tensor { unary(Elementwise.Hardswish()) }

    /// Softmax along `axis` of `x / temperature`; the maximum is subtracted first, so
    /// softmax([1000, 0]) is [1, 0].
    public func softmax(axis: Int = -1, temperature: Float = 1) -> Tensor {
        precondition(temperature > 0, "softmax: temperature \(temperature) must be positive")
        let input = temperature == 1 ? self : self * (1 / temperature)
        return input.softmaxFamily(axis: axis, log: false)
    }

    /// log(softmax(x)) along `axis`, computed as x − max − log Σ exp(x − max).
    public func logSoftmax(axis: Int = -1) -> Tensor { softmaxFamily(axis: axis, log: true) }

    private func softmaxFamily(axis: Int, log: Bool) -> Tensor {
        let a = Shape.normalize(axis: axis, rank: rank, op: log ? "logSoftmax" : "softmax", shape: shape)
        let (outer, n, inner) = split(at: a)
        let out = TensorStorage.uninitialized(count: count)
        Backends.current.softmax(storage.pointer, out.pointer, outer: outer, n: n, inner: inner, log: log)
        return .record(log ? .logSoftmax(axis: a) : .softmax(axis: a), input: self, shape: shape, storage: out, saveOutput: true)
    }
}
