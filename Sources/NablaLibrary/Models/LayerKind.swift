import NablaCore
import NablaBackend

/// One kind of model-spec layer, registered once: its spec name, class name, parameters, help, how its
/// name appears in messages, and how it is checked and built. The reader, the writer, the builder,
/// the messages and the command line's help all come from `LayerKind.all`.
///
/// ```swift
/// print(LayerKind.all.map(\.name))                            // ["linear", "conv2d", …, "laststep"]
/// print(LayerKind.named("LeakyReLU")!.parameters.map(\.name))  // ["slope"]
/// print(LayerKind.linear.help)
/// ```
public struct LayerKind: Sendable, Hashable, CustomStringConvertible {
    /// Activations are also the choices of `PresetOptions.activation`; see `Activation`.
    public enum Role: Sendable {
        /// Any layer that is not an activation.
        case layer
        /// One of `Activation.allCases`.
        case activation
    }

    /// Builds the layer for the checked arguments and the inferred input, or throws naming the fix.
    package typealias Make = @Sendable (LayerSpec, LayerBuildContext) throws(ModelSpecError) -> Module
    /// What the layer is called in messages, e.g. "Linear 784→10", from its arguments, its input
    /// shape (batch first) and the model's outputs.
    package typealias Label = @Sendable (LayerSpec, _ input: [Int], _ outputs: Int?) -> String

    /// The spec-file name, e.g. `leaky-relu`; names compare ignoring case, `-` and `_`.
    public let name: String
    /// The class name, for messages, e.g. `LeakyReLU`.
    public let displayName: String
    /// The parameters, in the order they are written; the first is the one a bare value sets
    /// (`linear: 128` is `linear: {out: 128}`).
    public let parameters: [LayerParameter]
    /// What the layer does, in one line.
    public let summary: String
    /// Whether this is an activation.
    public let role: Role
    let label: Label?
    let make: Make

    package init(_ name: String, _ displayName: String, role: Role = .layer, _ summary: String,
                 parameters: [LayerParameter] = [], label: Label? = nil, make: @escaping Make) {
        precondition(Set(parameters.map(\.name)).count == parameters.count, "LayerKind \(name): a parameter is listed twice")
        (self.name, self.displayName, self.role, self.summary) = (name, displayName, role, summary)
        (self.parameters, self.label, self.make) = (parameters, label, make)
    }

    /// Every kind a model spec can use, in the order messages and help list them. Each group is
    /// listed next to its kinds' registrations (`LayerKind+Dense.swift`, …, `Activation.swift`).
    public static let all: [LayerKind] = {
        let kinds = dense + convolution + Activation.allCases.map(\.kind) + sequence + attention
        precondition(Set(kinds.map { normalized($0.name) }).count == kinds.count, "LayerKind.all: two kinds share a name")
        return kinds
    }()

    /// The kind named `name`, ignoring case, `-` and `_`: `LeakyReLU`, `leaky_relu` and `leaky-relu` are one.
    ///
    /// ```swift
    /// LayerKind.named("Conv2D")?.name   // "conv2d"
    /// ```
    public static func named(_ name: String) -> LayerKind? {
        let key = normalized(name)
        return all.first { normalized($0.name) == key }
    }

    /// The parameter called `name`.
    public func parameter(_ name: String) -> LayerParameter? {
        parameters.first { $0.name == name }
    }

    /// The spec name.
    public var description: String { name }

    /// Kinds are one when their names are.
    public static func == (lhs: LayerKind, rhs: LayerKind) -> Bool { lhs.name == rhs.name }

    /// Hashes the name.
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }

    static func normalized(_ name: String) -> String {
        String(name.lowercased().filter { $0 != "-" && $0 != "_" })
    }

    /// The known name closest to `name`, if it is within two edits.
    static func suggestion(for name: String) -> String? {
        let target = Array(normalized(name))
        let scored = all.map { ($0.name, editDistance(Array(normalized($0.name)), target)) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= 2 else { return nil }
        return best.0
    }

    private static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        var row = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var next = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, y) in b.enumerated() {
                next[j + 1] = Swift.min(row[j] + (x == y ? 0 : 1), row[j + 1] + 1, next[j] + 1)
            }
            row = next
        }
        return row[b.count]
    }
}

/// One parameter of a `LayerKind`: its name, type, whether it may be left out, and help.
///
/// ```swift
/// let stride = LayerKind.conv2d.parameter("stride")!
/// print(stride.requirement)   // defaulted(int(1))
/// ```
public struct LayerParameter: Sendable, Equatable {
    /// The values a parameter takes.
    public enum ValueType: Sendable, Equatable {
        /// A whole number.
        case int
        /// A number.
        case float
        /// `true` or `false`.
        case bool
        /// A whole number, or "same".
        case padding
        /// A whole number for both sides, or `[height, width]`.
        case size
        /// A list of layers, numbered `K.segment.i` (and so named in state dicts).
        case layers(segment: String)
    }

    /// Whether a spec must give the parameter, and what leaving it out means.
    public enum Requirement: Sendable, Equatable {
        /// The spec must give it; `example` completes "e.g. `name: …`" in the message.
        case required(example: String)
        /// Left out, it is inferred or absent, as `help` says.
        case optional
        /// Left out, it takes this value, and it is not written back.
        case defaulted(LayerArgument)
    }

    /// The key in a spec file, e.g. `kernel`.
    public let name: String
    /// The values it takes.
    public let type: ValueType
    /// Whether it may be left out.
    public let requirement: Requirement
    /// What the parameter means, in a few words.
    public let help: String

    /// The value used when the spec leaves the parameter out.
    public var defaultValue: LayerArgument? {
        if case .defaulted(let value) = requirement { return value }
        return nil
    }

    static func int(_ name: String, default value: Int? = nil, _ help: String) -> LayerParameter {
        LayerParameter(name: name, type: .int, requirement: value.map { .defaulted(.int($0)) } ?? .optional, help: help)
    }

    static func int(_ name: String, required example: String, _ help: String) -> LayerParameter {
        LayerParameter(name: name, type: .int, requirement: .required(example: example), help: help)
    }

    static func float(_ name: String, default value: Float, _ help: String) -> LayerParameter {
        LayerParameter(name: name, type: .float, requirement: .defaulted(.float(value)), help: help)
    }

    static func bool(_ name: String, default value: Bool, _ help: String) -> LayerParameter {
        LayerParameter(name: name, type: .bool, requirement: .defaulted(.bool(value)), help: help)
    }

    static func padding(_ name: String, default value: LayerSpec.Padding, _ help: String) -> LayerParameter {
        LayerParameter(name: name, type: .padding, requirement: .defaulted(.padding(value)), help: help)
    }

    static func size(_ name: String, required example: String, _ help: String) -> LayerParameter {
        LayerParameter(name: name, type: .size, requirement: .required(example: example), help: help)
    }

    static func layers(_ name: String, segment: String, required example: String?, _ help: String) -> LayerParameter {
        LayerParameter(name: name, type: .layers(segment: segment), requirement: example.map { .required(example: $0) } ?? .optional,
                       help: help)
    }
}

/// The value of one layer parameter.
///
/// ```swift
/// let conv = LayerSpec(.conv2d, ["out": .int(16), "kernel": .int(3), "padding": .padding(.same)])
/// ```
public enum LayerArgument: Equatable, Sendable {
    /// For a `.int` parameter.
    case int(Int)
    /// For a `.float` parameter.
    case float(Float)
    /// For a `.bool` parameter.
    case bool(Bool)
    /// For a `.padding` parameter.
    case padding(LayerSpec.Padding)
    /// For a `.size` parameter.
    case size(height: Int, width: Int)
    /// For a `.layers` parameter.
    case layers([LayerSpec])

    /// Whether this value is one a parameter of `type` takes.
    func fits(_ type: LayerParameter.ValueType) -> Bool {
        switch (self, type) {
        case (.int, .int), (.float, .float), (.bool, .bool), (.padding, .padding), (.size, .size), (.layers, .layers): true
        case (.int, _), (.float, _), (.bool, _), (.padding, _), (.size, _), (.layers, _): false
        }
    }
}
