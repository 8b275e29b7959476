import NablaCore
import NablaBackend

/// An activation layer kind: a spec layer (`relu`, `leaky-relu: 0.2`) and a choice of
/// `PresetOptions.activation` and of the command line. Each is one entry of `Activation.allCases`.
///
/// ```swift
/// let options = PresetOptions(activation: .gelu)
/// let layer = Activation.named("Leaky_ReLU")!.makeLayer()   // LeakyReLU(negativeSlope: 0.01)
/// print(Activation.allCases.map(\.rawValue))                // ["relu", "tanh", …]
/// ```
public struct Activation: RawRepresentable, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    /// The spec layer kind.
    public let kind: LayerKind
    private let make: @Sendable (LayerSpec) -> Module

    /// Every activation. To add one, write its layer in `NN/Activations.swift` and add one line here;
    /// model specs, presets and the command line's choices follow.
    public static let allCases: [Activation] = [
        Activation("relu", "max(0, x)", ReLU.init),
        Activation("tanh", "the hyperbolic tangent", Tanh.init),
        Activation("sigmoid", "1 / (1 + e^−x)", Sigmoid.init),
        Activation("leaky-relu", "x for x ≥ 0, slope·x below", .float("slope", default: 0.01, "the slope for x < 0"),
                   LeakyReLU.init(negativeSlope:)),
        Activation("elu", "x for x ≥ 0, alpha·(e^x − 1) below", .float("alpha", default: 1, "the value approached as x → −∞, negated"),
                   ELU.init(alpha:)),
        Activation("gelu", "x·Φ(x), the Gaussian error linear unit", GELU.init),
        Activation("silu", "x·sigmoid(x), also called swish", SiLU.init),
        Activation("selu", "λx for x > 0, λα(e^x − 1) below: self-normalising", SELU.init),
        Activation("mish", "x·tanh(softplus(x))", Mish.init),
        Activation("hardswish", "x·relu6(x + 3)/6", Hardswish.init),
    ]

    /// A parameterless activation; its class name is the layer's.
    init<Layer: Module>(_ name: String, _ summary: String, _ layer: @escaping @Sendable () -> Layer) {
        self.init(kind: LayerKind(name, String(describing: Layer.self), role: .activation, summary, make: { _, _ in layer() }),
                  make: { _ in layer() })
    }

    /// An activation with one number parameter.
    init<Layer: Module>(_ name: String, _ summary: String, _ parameter: LayerParameter,
                        _ layer: @escaping @Sendable (Float) -> Layer) {
        precondition(parameter.type == .float && parameter.defaultValue != nil, "Activation \(name): the parameter needs a default")
        let make: @Sendable (LayerSpec) -> Module = { layer($0.float(parameter.name)) }
        self.init(kind: LayerKind(name, String(describing: Layer.self), role: .activation, summary, parameters: [parameter],
                                  make: { spec, _ in make(spec) }),
                  make: make)
    }

    private init(kind: LayerKind, make: @escaping @Sendable (LayerSpec) -> Module) {
        (self.kind, self.make) = (kind, make)
    }

    /// The activation whose spec name is exactly `rawValue`, e.g. `leaky-relu`.
    public init?(rawValue: String) {
        guard let found = Self.allCases.first(where: { $0.kind.name == rawValue }) else { return nil }
        self = found
    }

    /// The activation called `name`, ignoring case, `-` and `_`, as in model specs.
    ///
    /// ```swift
    /// Activation.named("LeakyReLU")?.rawValue   // "leaky-relu"
    /// ```
    public static func named(_ name: String) -> Activation? {
        allCases.first { LayerKind.normalized($0.kind.name) == LayerKind.normalized(name) }
    }

    /// The spec name.
    public var rawValue: String { kind.name }

    /// The spec name.
    public var description: String { kind.name }

    /// A new layer of this kind, with its parameter (if any) at its default.
    public func makeLayer() -> Module { make(LayerSpec(kind)) }

    /// Activations are one when their kinds are.
    public static func == (lhs: Activation, rhs: Activation) -> Bool { lhs.kind == rhs.kind }

    /// Hashes the kind.
    public func hash(into hasher: inout Hasher) { hasher.combine(kind) }

    // The activations that were enum cases before the registry, kept for source compatibility; a
    // newer one is `Activation(rawValue:)` or `.named(_:)`.
    /// `relu`.
    public static var relu: Activation { registered("relu") }
    /// `tanh`.
    public static var tanh: Activation { registered("tanh") }
    /// `sigmoid`.
    public static var sigmoid: Activation { registered("sigmoid") }
    /// `leaky-relu`, slope 0.01.
    public static var leakyRelu: Activation { registered("leaky-relu") }
    /// `elu`, alpha 1.
    public static var elu: Activation { registered("elu") }
    /// `gelu`.
    public static var gelu: Activation { registered("gelu") }
    /// `silu`.
    public static var silu: Activation { registered("silu") }

    private static func registered(_ name: String) -> Activation {
        guard let activation = Activation(rawValue: name) else { preconditionFailure("Activation: \"\(name)\" is not registered") }
        return activation
    }
}

extension LayerSpec {
    /// The layer of an activation, with its parameter (if any) at its default: `.activation(.gelu)`.
    public static func activation(_ activation: Activation) -> LayerSpec { LayerSpec(activation.kind) }

    /// `relu`.
    public static var relu: LayerSpec { .activation(.relu) }
    /// `tanh`.
    public static var tanh: LayerSpec { .activation(.tanh) }
    /// `sigmoid`.
    public static var sigmoid: LayerSpec { .activation(.sigmoid) }
    /// `gelu`.
    public static var gelu: LayerSpec { .activation(.gelu) }
    /// `silu`.
    public static var silu: LayerSpec { .activation(.silu) }
    /// `leaky-relu: slope`.
    public static func leakyRelu(slope: Float = 0.01) -> LayerSpec { LayerSpec(Activation.leakyRelu.kind, ["slope": .float(slope)]) }
    /// `elu: alpha`.
    public static func elu(alpha: Float = 1) -> LayerSpec { LayerSpec(Activation.elu.kind, ["alpha": .float(alpha)]) }
}
