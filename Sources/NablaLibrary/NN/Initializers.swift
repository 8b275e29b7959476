import Foundation
import NablaCore
import NablaBackend

/// How a weight tensor is filled, with PyTorch's `torch.nn.init` formulas.
///
/// ```swift
/// let w = Initializer.kaimingNormal(mode: .fanOut).tensor([64, 32, 3, 3])
/// ```
public enum Initializer: Sendable, Equatable {
    public enum FanMode: String, Sendable { case fanIn = "fan_in", fanOut = "fan_out" }

    case zeros
    case ones
    case constant(Float)
    case uniform(low: Float, high: Float)
    case normal(mean: Float, std: Float)
    /// U(−a, a) with a = gain·√(6 / (fanIn + fanOut)).
    case xavierUniform(gain: Float)
    /// N(0, σ²) with σ = gain·√(2 / (fanIn + fanOut)).
    case xavierNormal(gain: Float)
    /// U(−b, b) with b = gain·√(3 / fan), gain = √(2 / (1 + a²)) for leaky ReLU slope `a`.
    case kaimingUniform(a: Float, mode: FanMode)
    /// N(0, σ²) with σ = gain / √fan.
    case kaimingNormal(a: Float, mode: FanMode)

    public static let xavierUniform = Initializer.xavierUniform(gain: 1)
    public static let xavierNormal = Initializer.xavierNormal(gain: 1)
    /// He initialization for ReLU networks.
    public static let kaimingUniform = Initializer.kaimingUniform(a: 0, mode: .fanIn)
    public static let kaimingNormal = Initializer.kaimingNormal(a: 0, mode: .fanIn)

    /// PyTorch's fan-in and fan-out: dimension 1 and 0 times the receptive field (the trailing dimensions).
    public static func fans(_ shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        precondition(shape.count >= 2, "init: fan in and fan out need at least 2 dimensions, got \(shape)")
        let receptive = Shape.count(Array(shape.dropFirst(2)))
        return (shape[1] * receptive, shape[0] * receptive)
    }

    /// A new tensor of `shape` filled from `generator`.
    public func tensor(_ shape: [Int], generator: inout Generator) -> Tensor {
        switch self {
        case .zeros: return .zeros(shape)
        case .ones: return .ones(shape)
        case .constant(let v): return .full(shape, value: v)
        case .uniform(let low, let high): return .uniform(shape, low: low, high: high, generator: &generator)
        case .normal(let mean, let std): return .normal(shape, mean: mean, std: std, generator: &generator)
        case .xavierUniform(let gain):
            let (fanIn, fanOut) = Self.fans(shape)
            let a = gain * Foundation.sqrt(6 / Float(fanIn + fanOut))
            return .uniform(shape, low: -a, high: a, generator: &generator)
        case .xavierNormal(let gain):
            let (fanIn, fanOut) = Self.fans(shape)
            return .normal(shape, std: gain * Foundation.sqrt(2 / Float(fanIn + fanOut)), generator: &generator)
        case .kaimingUniform(let a, let mode):
            let bound = Self.leakyReluGain(a) * Foundation.sqrt(3 / Float(Self.fan(shape, mode)))
            return .uniform(shape, low: -bound, high: bound, generator: &generator)
        case .kaimingNormal(let a, let mode):
            return .normal(shape, std: Self.leakyReluGain(a) / Foundation.sqrt(Float(Self.fan(shape, mode))), generator: &generator)
        }
    }

    /// A new tensor from the thread's default generator (see `Random.seed`).
    public func tensor(_ shape: [Int]) -> Tensor { Random.with { tensor(shape, generator: &$0) } }

    /// √(2 / (1 + a²)), the gain `calculate_gain('leaky_relu', a)` gives.
    public static func leakyReluGain(_ a: Float) -> Float { Foundation.sqrt(2 / (1 + a * a)) }

    private static func fan(_ shape: [Int], _ mode: FanMode) -> Int {
        let (fanIn, fanOut) = fans(shape)
        return mode == .fanIn ? fanIn : fanOut
    }

    /// PyTorch's default for Linear and Conv weights: kaiming_uniform with a = √5, i.e. U(±1/√fanIn).
    public static let torchDefault = Initializer.kaimingUniform(a: Float(5).squareRoot(), mode: .fanIn)

    /// PyTorch's default bias for a layer with `fanIn` inputs: U(±1/√fanIn).
    public static func torchDefaultBias(fanIn: Int) -> Initializer {
        let bound = fanIn > 0 ? 1 / Foundation.sqrt(Float(fanIn)) : 0
        return .uniform(low: -bound, high: bound)
    }
}

/// Layers whose main weight can be re-initialized with a chosen scheme.
public protocol WeightInitializable: Module {
    /// Refills the weight with `initializer` and the bias with zeros (or keeps PyTorch's default bias when `nil`).
    func reinitialize(weight initializer: Initializer, generator: inout Generator)
}

extension Module {
    /// Re-initializes every Linear, Conv2d and recurrent weight under this module.
    ///
    /// ```swift
    /// model.initializeWeights(.xavierUniform)
    /// ```
    public func initializeWeights(_ initializer: Initializer) {
        Random.with { generator in
            for (_, module) in modules() {
                (module as? WeightInitializable)?.reinitialize(weight: initializer, generator: &generator)
            }
        }
    }
}
