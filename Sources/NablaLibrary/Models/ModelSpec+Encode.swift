import NablaCore
import NablaBackend

extension ModelSpec {
    /// The spec as a file that `parse` reads back to an equal spec. Parameters left at their defaults
    /// are not written.
    ///
    /// ```swift
    /// let spec = ModelSpec(inputShape: [2], layers: [.linear(out: 8), .relu, .linear(out: 2)])
    /// print(spec.text(format: .yaml))
    /// // input: [2]
    /// // layers:
    /// //   - linear: 8
    /// //   - relu
    /// //   - linear: 2
    /// ```
    public func text(format: Format) -> String {
        let input = "[" + inputShape.map(String.init).joined(separator: ", ") + "]"
        let entries = layers.map { $0.encoded() }
        switch format {
        case .yaml:
            let lines = entries.map { entry -> String in
                guard case .map(let pairs) = entry, let (name, value) = pairs.first else { return "  - " + entry.flow(json: false) }
                return "  - \(name): " + value.flow(json: false)
            }
            return (["input: \(input)", "layers:"] + lines).joined(separator: "\n") + "\n"
        case .json:
            let lines = entries.map { "    " + $0.flow(json: true) }.joined(separator: ",\n")
            return "{\n  \"input\": \(input),\n  \"layers\": [\n\(lines)\n  ]\n}\n"
        }
    }
}

/// A value to write into a spec file.
package enum SpecValue {
    case map([(String, SpecValue)])
    case list([SpecValue])
    case int(Int)
    case float(Float)
    case string(String)
    case bool(Bool)

    /// Flow style: `{out: 16, kernel: 3}` in YAML, `{"out": 16, "kernel": 3}` in JSON.
    func flow(json: Bool) -> String {
        switch self {
        case .map(let pairs):
            return "{" + pairs.map { (json ? "\"\($0.0)\"" : $0.0) + ": " + $0.1.flow(json: json) }.joined(separator: ", ") + "}"
        case .list(let items): return "[" + items.map { $0.flow(json: json) }.joined(separator: ", ") + "]"
        case .int(let value): return String(value)
        case .float(let value): return String(value)
        case .string(let text): return json ? "\"\(text)\"" : text
        case .bool(let flag): return String(flag)
        }
    }

    var isScalar: Bool {
        switch self {
        case .map, .list: false
        default: true
        }
    }
}

extension LayerSpec {
    /// A bare name when every parameter has its default, `name: value` when only the main
    /// parameter is set to a scalar, `name: {parameters}` otherwise.
    func encoded() -> SpecValue {
        let params = kind.parameters.compactMap { parameter -> (String, SpecValue)? in
            guard let value = arguments[parameter.name], value != parameter.defaultValue else { return nil }
            return (parameter.name, value.encoded())
        }
        if params.isEmpty { return .string(kind.name) }
        if params.count == 1, params[0].0 == kind.parameters.first?.name, params[0].1.isScalar { return .map([(kind.name, params[0].1)]) }
        return .map([(kind.name, .map(params))])
    }
}

extension LayerArgument {
    /// The value as a spec file writes it.
    func encoded() -> SpecValue {
        switch self {
        case .int(let value): .int(value)
        case .float(let value): .float(value)
        case .bool(let flag): .bool(flag)
        case .padding(.same): .string("same")
        case .padding(.size(let size)): .int(size)
        case .size(let height, let width): height == width ? .int(height) : .list([.int(height), .int(width)])
        case .layers(let layers): .list(layers.map { $0.encoded() })
        }
    }
}
