import NablaCore
import NablaBackend

/// Activation layers, each wrapping the tensor function of the same name.

public final class Sigmoid: Module {
    override public init() { super.init() }
    override public func forward(_ input: Tensor) -> Tensor { input.sigmoid() }
}

public final class Tanh: Module {
    override public init() { super.init() }
    override public func forward(_ input: Tensor) -> Tensor { input.tanh() }
}

public final class ReLU: Module {
    override public init() { super.init() }
    override public func forward(_ input: Tensor) -> Tensor { input.relu() }
}

public final class LeakyReLU: Module {
    public let negativeSlope: Float
    public init(negativeSlope: Float = 0.01) {
        self.negativeSlope = negativeSlope
        super.init()
    }
    override public var typeName: String { "LeakyReLU(\(negativeSlope))" }
    override public func forward(_ input: Tensor) -> Tensor { input.leakyRelu(negativeSlope: negativeSlope) }
}

public final class ELU: Module {
    public let alpha: Float
    public init(alpha: Float = 1) {
        self.alpha = alpha
        super.init()
    }
    override public var typeName: String { "ELU(\(alpha))" }
    override public func forward(_ input: Tensor) -> Tensor { input.elu(alpha: alpha) }
}

public final class GELU: Module {
    override public init() { super.init() }
    override public func forward(_ input: Tensor) -> Tensor { input.gelu() }
}

public final class SiLU: Module {
    override public init() { super.init() }
    override public func forward(_ input: Tensor) -> Tensor { input.silu() }
}

/// SELU, `torch.nn.SELU`: self-normalising when paired with LeCun-normal initialisation.
public final class SELU: Module {
    override public init() { super.init() }
    override public func forward(_ input: Tensor) -> Tensor { input.selu() }
}

/// Mish, `torch.nn.Mish`: x·tanh(softplus(x)).
public final class Mish: Module {
    override public init() { super.init() }
    override public func forward(_ input: Tensor) -> Tensor { input.mish() }
}

/// Hardswish, `torch.nn.Hardswish`: x·relu6(x + 3)/6.
public final class Hardswish: Module {
    override public init() { super.init() }
    override public func forward(_ input: Tensor) -> Tensor { input.hardswish() }
}

/// Softmax along `axis` of `x / temperature`.
public final class Softmax: Module {
    public let axis: Int, temperature: Float
    public init(axis: Int = -1, temperature: Float = 1) {
        self.axis = axis
        self.temperature = temperature
        super.init()
    }
    override public func forward(_ input: Tensor) -> Tensor { input.softmax(axis: axis, temperature: temperature) }
}

public final class LogSoftmax: Module {
    public let axis: Int
    public init(axis: Int = -1) {
        self.axis = axis
        super.init()
    }
    override public func forward(_ input: Tensor) -> Tensor { input.logSoftmax(axis: axis) }
}
