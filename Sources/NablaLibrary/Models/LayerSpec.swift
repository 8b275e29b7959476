import NablaCore
import NablaBackend

/// One layer of a `ModelSpec`: a registered `LayerKind` and its arguments. An `out` or `in` left out
/// is inferred (see `ModelSpec.build`). Each kind has a constructor named after it, next to its
/// registration (`.linear(out:)`, `.conv2d(out:kernel:)`, `.gru(hidden:)`, `.activation(_:)`, …).
///
/// ```swift
/// let block: LayerSpec = .residual(layers: [.linear(out: 64), .relu, .linear(out: 64)])
/// let same = LayerSpec(.linear, ["out": .int(64)])   // == .linear(out: 64)
/// print(block.kind.name, same.int(optional: "out") ?? 0)   // residual 64
/// ```
public struct LayerSpec: Equatable, Sendable, CustomStringConvertible {
    /// Zero padding of a `conv2d`.
    public enum Padding: Equatable, Sendable {
        /// The output has the input's size (stride 1 only).
        case same
        /// The same number of zeros on every side.
        case size(Int)
    }

    /// What the layer is.
    public let kind: LayerKind
    /// The arguments by parameter name: those given, and the defaults of those left out. An optional
    /// parameter left out has no entry.
    public let arguments: [String: LayerArgument]

    /// A layer of `kind`; a `nil` argument is left out, and a parameter left out takes its default.
    /// A name the kind does not have, a value of the wrong type or a missing required parameter is a
    /// programmer error.
    ///
    /// ```swift
    /// let gru = LayerSpec(.gru, ["hidden": .int(32), "layers": .int(2)])
    /// ```
    public init(_ kind: LayerKind, _ arguments: [String: LayerArgument?] = [:]) {
        var filled: [String: LayerArgument] = [:]
        for (name, value) in arguments {
            guard let value else { continue }
            guard let parameter = kind.parameter(name) else {
                preconditionFailure("LayerSpec: \(kind.name) has no parameter \"\(name)\"; its parameters are \(kind.parameters.map(\.name))")
            }
            precondition(value.fits(parameter.type), "LayerSpec: \(kind.name)'s `\(name)` takes \(parameter.type), not \(value)")
            filled[name] = value
        }
        for parameter in kind.parameters where filled[parameter.name] == nil {
            switch parameter.requirement {
            case .required: preconditionFailure("LayerSpec: \(kind.name) needs `\(parameter.name)`")
            case .optional: break
            case .defaulted(let value): filled[parameter.name] = value
            }
        }
        self.kind = kind
        self.arguments = filled
    }

    /// The layer as a spec file writes it, e.g. `{linear: 128}` or `relu`.
    public var description: String { encoded().flow(json: false) }

    // MARK: - Arguments by type, for building (a wrong name or type is a programmer error)

    /// A whole-number parameter that is required or has a default.
    public func int(_ name: String) -> Int {
        guard let value = int(optional: name) else { preconditionFailure("LayerSpec: \(kind.name) has no `\(name)`") }
        return value
    }

    /// A whole-number parameter that may be left out.
    public func int(optional name: String) -> Int? {
        switch argument(name) {
        case .int(let value)?: value
        case nil: nil
        case let other?: preconditionFailure("LayerSpec: \(kind.name)'s `\(name)` is \(other), not a whole number")
        }
    }

    /// A number parameter.
    public func float(_ name: String) -> Float {
        guard case .float(let value)? = argument(name) else { preconditionFailure("LayerSpec: \(kind.name)'s `\(name)` is not a number") }
        return value
    }

    /// A true-or-false parameter.
    public func bool(_ name: String) -> Bool {
        guard case .bool(let flag)? = argument(name) else { preconditionFailure("LayerSpec: \(kind.name)'s `\(name)` is not true or false") }
        return flag
    }

    /// A padding parameter.
    public func padding(_ name: String) -> Padding {
        guard case .padding(let padding)? = argument(name) else { preconditionFailure("LayerSpec: \(kind.name)'s `\(name)` is not a padding") }
        return padding
    }

    /// A `[height, width]` parameter.
    public func size(_ name: String) -> (height: Int, width: Int) {
        guard case .size(let height, let width)? = argument(name) else {
            preconditionFailure("LayerSpec: \(kind.name)'s `\(name)` is not a size")
        }
        return (height, width)
    }

    /// A layer-list parameter, `nil` when an optional one is left out.
    public func layers(_ name: String) -> [LayerSpec]? {
        switch argument(name) {
        case .layers(let layers)?: layers
        case nil: nil
        case let other?: preconditionFailure("LayerSpec: \(kind.name)'s `\(name)` is \(other), not a list of layers")
        }
    }

    private func argument(_ name: String) -> LayerArgument? {
        precondition(kind.parameter(name) != nil, "LayerSpec: \(kind.name) has no parameter \"\(name)\"")
        return arguments[name]
    }
}
