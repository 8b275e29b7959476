import NablaBackend

/// Activation functions. sigmoid, tanh, relu, leakyRelu, elu and gelu are primitives with their own
/// kernels; silu, softplus and the softmax family are built from primitives or fused kernels.
extension Tensor {
    /// 1 / (1 + e^−x), stable for large |x|.
    public func sigmoid() -> Tensor { unary(.sigmoid) }
    public func tanh() -> Tensor { unary(.tanh) }
    /// max(x, 0).
    public func relu() -> Tensor { unary(.relu) }
    /// x for x > 0, else `negativeSlope`·x.
    public func leakyRelu(negativeSlope: Float = 0.01) -> Tensor { unary(.leakyRelu(negativeSlope: negativeSlope)) }
    /// x for x > 0, else α(eˣ − 1).
    public func elu(alpha: Float = 1) -> Tensor { unary(.elu(alpha: alpha)) }
    /// x·Φ(x) with the exact normal CDF, PyTorch's default GELU.
    public func gelu() -> Tensor { unary(.gelu) }
    /// x·sigmoid(x), also called swish.
    public func silu() -> Tensor { self * sigmoid() }
    /// log(1 + eˣ), computed so it never overflows; its derivative is sigmoid(x).
    public func softplus() -> Tensor { unary(.softplus) }

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
        let out = TensorStorage(uninitializedCount: count)
        Backends.current.softmax(storage.pointer, out.pointer, outer: outer, n: n, inner: inner, log: log)
        return .record(log ? .logSoftmax(axis: a) : .softmax(axis: a), input: self, shape: shape, storage: out, saveOutput: true)
    }
}
