import NablaCore
import NablaBackend

extension LayerKind {
    /// The kind's name, what it does, and one line per parameter: its type, whether it may be left
    /// out, and what it means.
    ///
    /// ```swift
    /// print(LayerKind.dropout.help)
    /// // dropout (Dropout): zeroes each value with probability p while training, scaling the rest by 1/(1 − p)
    /// //   p  number = 0.5  the probability of zeroing a value
    /// ```
    public var help: String {
        let head = "\(name) (\(displayName)): \(summary)"
        let rows = parameters.map { ($0.name, $0.typeAndRequirement, $0.help) }
        let (nameWidth, typeWidth) = (rows.map(\.0.count).max() ?? 0, rows.map(\.1.count).max() ?? 0)
        func padded(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: width - text.count) }
        let lines = rows.map { "  " + padded($0.0, nameWidth) + "  " + padded($0.1, typeWidth) + "  " + $0.2 }
        return ([head] + lines).joined(separator: "\n")
    }

    /// Every kind's `help`, the activations' names, and how a spec names layers.
    public static var reference: String {
        let intro = """
            A model spec lists layers as `name` or `name: value`, where the value sets the first parameter
            (`linear: 128`), or `name: {parameter: value, …}`. Names ignore case, `-` and `_`.
            Activations (also the presets' choices): \(Activation.choices).
            """
        return ([intro] + all.map(\.help)).joined(separator: "\n\n") + "\n"
    }

    /// A Markdown table of every kind: name, parameters (`name = default`, `name?` when it may be
    /// left out, `name` when required) and what it does. README.md holds a copy, checked by a test.
    public static var markdownTable: String {
        let rows = all.map { kind in
            let parameters = kind.parameters.map { "`\($0.shortForm)`" }.joined(separator: ", ")
            let summary = kind.summary.split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|")
            return "| `\(kind.name)` | \(parameters.isEmpty ? "none" : parameters) | \(summary) |"
        }
        return (["| layer | parameters | what it does |", "| --- | --- | --- |"] + rows).joined(separator: "\n") + "\n"
    }
}

extension LayerParameter {
    /// `kernel`, `out?`, `stride = 1`.
    var shortForm: String {
        switch requirement {
        case .required: name
        case .optional: name + "?"
        case .defaulted(let value): "\(name) = \(value.encoded().flow(json: false))"
        }
    }

    /// "whole number, required", "number = 0.5", "layers, optional".
    var typeAndRequirement: String {
        let type = switch type {
        case .int: "whole number"
        case .float: "number"
        case .bool: "true/false"
        case .padding: "whole number or same"
        case .size: "size or [height, width]"
        case .layers: "list of layers"
        }
        switch requirement {
        case .required: return type + ", required"
        case .optional: return type + ", optional"
        case .defaulted(let value): return type + " = " + value.encoded().flow(json: false)
        }
    }
}

extension Activation {
    /// The names, as help lists them: "relu, tanh, … or silu".
    public static var choices: String {
        let names = allCases.map(\.rawValue)
        guard names.count > 1 else { return names.joined() }
        return names.dropLast().joined(separator: ", ") + " or " + names[names.count - 1]
    }
}
