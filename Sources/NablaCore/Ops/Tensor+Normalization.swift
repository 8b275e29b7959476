import NablaBackend

extension Functional {
    /// Batch normalization with the batch's own statistics, as `torch.nn.functional.batch_norm` in
    /// training mode: y = (x − mean_c) / √(var_c + eps) · weight_c + bias_c, with the mean and the
    /// biased variance of each channel c (axis 1) over every other axis. Returns y and the batch
    /// mean and biased variance per channel, [C] each and without gradient, from which a layer
    /// updates its running statistics.
    ///
    /// ```swift
    /// let (y, mean, variance) = Functional.batchNorm(x, weight: gamma, bias: beta, eps: 1e-5)   // x: [N, C, H, W]
    /// ```
    public static func batchNorm(_ input: Tensor, weight: Tensor? = nil, bias: Tensor? = nil,
                                 eps: Float = 1e-5) -> (output: Tensor, mean: Tensor, variance: Tensor) {
        let layout = checkedChannelLayout(input, weight, bias, "batchNorm")
        precondition(layout.perChannel > 1, "batchNorm: expected more than 1 value per channel, got input \(input.shape)")
        let c = layout.channels
        let mean = TensorStorage.uninitialized(count: c), variance = TensorStorage.uninitialized(count: c)
        Backends.current.channelStatistics(input.storage.pointer, layout, mean: mean.pointer, variance: variance.pointer)
        let y = normalized(input, layout, mean: mean, variance: variance, weight: weight, bias: bias, eps: eps, synchronization: nil)
        return (y, Tensor(shape: [c], storage: mean, node: nil), Tensor(shape: [c], storage: variance, node: nil))
    }

    /// Layer normalization over the trailing `normalizedShape`, as `torch.nn.functional.layer_norm`:
    /// y = (x − mean) / √(var + eps) · weight + bias with the mean and biased variance of each row of
    /// `normalizedShape`'s values; weight and bias, when given, have the shape `normalizedShape`.
    ///
    /// ```swift
    /// let y = Functional.layerNorm(x, normalizedShape: [128], weight: gamma, bias: beta)   // x: [B, T, 128]
    /// ```
    public static func layerNorm(_ input: Tensor, normalizedShape: [Int], weight: Tensor? = nil, bias: Tensor? = nil,
                                 eps: Float = 1e-5) -> Tensor {
        precondition(!normalizedShape.isEmpty && input.rank >= normalizedShape.count
                     && Array(input.shape.suffix(normalizedShape.count)) == normalizedShape,
                     "layerNorm: input \(input.shape) does not end in normalizedShape \(normalizedShape)")
        for (name, p) in [("weight", weight), ("bias", bias)] {
            if let p { precondition(p.shape == normalizedShape, "layerNorm: \(name) \(p.shape) should be \(normalizedShape)") }
        }
        let width = normalizedShape.reduce(1, *), rows = width == 0 ? 0 : input.count / width
        let mean = TensorStorage.uninitialized(count: rows), invStd = TensorStorage.uninitialized(count: rows)
        let out = TensorStorage.uninitialized(count: input.count)
        Backends.current.layerNormForward(input.storage.pointer, weight: weight.map { UnsafePointer($0.storage.pointer) },
                                          bias: bias.map { UnsafePointer($0.storage.pointer) }, out.pointer, mean: mean.pointer,
                                          invStd: invStd.pointer, rows: rows, width: width, eps: eps)
        let statistics = RowStatistics(mean: mean, invStd: invStd, width: width, hasWeight: weight != nil, hasBias: bias != nil)
        return Tensor.record(.layerNorm(statistics), inputs: [input] + [weight, bias].compactMap { $0 }, shape: input.shape,
                             storage: out)
    }

    /// (x − mean)·invStd·weight + bias as one scale and shift per channel, recorded with the statistics its gradient needs.
    static func normalized(_ input: Tensor, _ layout: ChannelLayout, mean: TensorStorage, variance: TensorStorage,
                           weight: Tensor?, bias: Tensor?, eps: Float, synchronization: ChannelSynchronization?) -> Tensor {
        let c = layout.channels
        let weight = weight ?? .ones([c]), bias = bias ?? .zeros([c])
        let invStd = TensorStorage.uninitialized(count: c), scale = TensorStorage.uninitialized(count: c)
        let shift = TensorStorage.uninitialized(count: c)
        for i in 0..<c {
            invStd.pointer[i] = 1 / (variance.pointer[i] + eps).squareRoot()
            scale.pointer[i] = weight.storage.pointer[i] * invStd.pointer[i]
            shift.pointer[i] = bias.storage.pointer[i] - mean.pointer[i] * scale.pointer[i]
        }
        let out = TensorStorage.uninitialized(count: input.count)
        Backends.current.channelAffine(input.storage.pointer, out.pointer, layout, scale: scale.pointer, shift: shift.pointer)
        let statistics = ChannelStatistics(mean: mean, invStd: invStd, synchronization: synchronization)
        return Tensor.record(.batchNorm(statistics), inputs: [input, weight, bias], shape: input.shape, storage: out)
    }

    /// The [N, C, S] layout of `input`, after checking that weight and bias are [C] (`op` names the caller).
    static func checkedChannelLayout(_ input: Tensor, _ weight: Tensor?, _ bias: Tensor?, _ op: String) -> ChannelLayout {
        precondition(input.rank >= 2, "\(op): expected input [N, C, …], got \(input.shape)")
        let layout = channelLayout(input)
        for (name, p) in [("weight", weight), ("bias", bias)] {
            if let p { precondition(p.shape == [layout.channels], "\(op): \(name) \(p.shape) should be [\(layout.channels)] for input \(input.shape)") }
        }
        return layout
    }

    static func channelLayout(_ x: Tensor) -> ChannelLayout {
        ChannelLayout(batch: x.shape[0], channels: x.shape[1], spatial: x.shape.dropFirst(2).reduce(1, *))
    }
}
