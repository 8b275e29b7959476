import NablaBackend

extension Tensor {
    /// A tensor of zeros.
    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        full(shape, value: 0, requiresGrad: requiresGrad)
    }

    /// A tensor of ones.
    public static func ones(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        full(shape, value: 1, requiresGrad: requiresGrad)
    }

    /// A tensor filled with `value`.
    public static func full(_ shape: [Int], value: Float, requiresGrad: Bool = false) -> Tensor {
        precondition(shape.allSatisfy { $0 >= 0 }, "full: negative dimension in shape \(shape)")
        return Tensor(shape: shape, storage: TensorStorage.repeating(value, count: Shape.count(shape)),
                      node: requiresGrad ? Node.leaf() : nil)
    }

    /// Zeros with the shape of `other`.
    public static func zeros(like other: Tensor) -> Tensor { zeros(other.shape) }
    /// Ones with the shape of `other`.
    public static func ones(like other: Tensor) -> Tensor { ones(other.shape) }

    /// `start, start + step, …` up to but excluding `end`, as `torch.arange`.
    public static func arange(_ start: Float = 0, _ end: Float, step: Float = 1) -> Tensor {
        precondition(step != 0, "arange: step must be non-zero")
        let n = Swift.max(0, Int((Double(end - start) / Double(step)).rounded(.up)))
        return Tensor((0..<n).map { start + Float($0) * step })
    }

    /// `count` evenly spaced values from `start` to `end` inclusive, as `torch.linspace`.
    public static func linspace(_ start: Float, _ end: Float, count: Int) -> Tensor {
        precondition(count >= 0, "linspace: count \(count) must be non-negative")
        if count == 1 { return Tensor([start]) }
        let step = (Double(end) - Double(start)) / Double(count - 1)
        return Tensor((0..<count).map { Float(Double(start) + Double($0) * step) })
    }

    /// Uniform values in [low, high) from `generator`, or the thread's default generator.
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1,
                               generator: inout Generator, requiresGrad: Bool = false) -> Tensor {
        let n = Shape.count(shape)
        let span = Double(high) - Double(low)
        var values = [Float](repeating: 0, count: n)
        for i in 0..<n { values[i] = Float(Double(low) + span * generator.nextUniform()) }
        return Tensor(shape: shape, scalars: values, requiresGrad: requiresGrad)
    }

    /// Uniform values in [low, high) from the thread's default generator (see `Random.seed`).
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1, requiresGrad: Bool = false) -> Tensor {
        Random.with { uniform(shape, low: low, high: high, generator: &$0, requiresGrad: requiresGrad) }
    }

    /// Normal values with the given mean and standard deviation from `generator`.
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1,
                              generator: inout Generator, requiresGrad: Bool = false) -> Tensor {
        let n = Shape.count(shape)
        var values = [Float](repeating: 0, count: n)
        for i in 0..<n { values[i] = Float(Double(mean) + Double(std) * generator.nextNormal()) }
        return Tensor(shape: shape, scalars: values, requiresGrad: requiresGrad)
    }

    /// Normal values from the thread's default generator (see `Random.seed`).
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1, requiresGrad: Bool = false) -> Tensor {
        Random.with { normal(shape, mean: mean, std: std, generator: &$0, requiresGrad: requiresGrad) }
    }
}
