import NablaCore
import NablaBackend

/// Turns a document's `SpecNode`s into a `ModelSpec`, checking types and names; sizes are
/// checked when the model is built, where the shapes are known.
package struct SpecDecoder {
    let file: String
    var lines: [String: Int] = [:]

    init(file: String) { self.file = file }

    mutating func decodeDocument(_ root: SpecNode) throws(ModelSpecError) -> ModelSpec {
        guard case .map(let pairs) = root.value else {
            throw ModelSpecError(file: file, line: root.line, message: "expected a mapping with `input` and `layers`, got \(root.kind)")
        }
        if let unknown = pairs.first(where: { $0.key != "input" && $0.key != "layers" }) {
            throw ModelSpecError(file: file, line: unknown.value.line,
                                 message: "unknown key \"\(unknown.key)\"; a model spec has `input` and `layers`")
        }
        guard let input = pairs.first(where: { $0.key == "input" })?.value else {
            throw ModelSpecError(file: file, line: root.line,
                                 message: "missing `input`, the shape of one sample without the batch, e.g. `input: [1, 28, 28]`")
        }
        guard let layers = pairs.first(where: { $0.key == "layers" })?.value else {
            throw ModelSpecError(file: file, line: root.line, message: "missing `layers`, the list of layers")
        }
        let shape = try inputShape(input)
        let decoded = try decodeLayers(layers, prefix: "", depth: 0, what: "`layers`")
        var spec = ModelSpec(inputShape: shape, layers: decoded, name: file)
        spec.lines = lines
        return spec
    }

    private func inputShape(_ node: SpecNode) throws(ModelSpecError) -> [Int] {
        let example = "e.g. `input: [1, 28, 28]` for images or `input: [2]` for 2 features"
        guard case .list(let items) = node.value, !items.isEmpty else {
            throw ModelSpecError(file: file, line: node.line, message: "`input` must list one sample's sizes, \(example); got \(node.kind)")
        }
        var shape: [Int] = []
        for item in items {
            guard case .number(let number) = item.value, let size = Int(exactly: number), size > 0 else {
                throw ModelSpecError(file: file, line: item.line, message: "`input` sizes must be positive whole numbers, \(example); got \(item.kind)")
            }
            shape.append(size)
        }
        return shape
    }

    mutating func decodeLayers(_ node: SpecNode, prefix: String, depth: Int, what: String) throws(ModelSpecError) -> [LayerSpec] {
        guard case .list(let items) = node.value, !items.isEmpty else {
            throw ModelSpecError(file: file, line: node.line, message: "\(what) must be a list of at least one layer, got \(node.kind)")
        }
        guard depth < SpecNode.maxDepth else {
            throw ModelSpecError(file: file, line: node.line, message: "residual layers nest deeper than \(SpecNode.maxDepth) levels")
        }
        var layers: [LayerSpec] = []
        for (i, item) in items.enumerated() {
            layers.append(try decodeLayer(item, path: prefix + String(i), depth: depth))
        }
        return layers
    }

    private mutating func decodeLayer(_ node: SpecNode, path: String, depth: Int) throws(ModelSpecError) -> LayerSpec {
        lines[path] = node.line
        let name: String, value: SpecNode?
        switch node.value {
        case .string(let text): (name, value) = (text, nil)
        case .map(let pairs) where pairs.count == 1: (name, value) = (pairs[0].key, pairs[0].value)
        case .map(let pairs):
            let keys = pairs.map(\.key).joined(separator: ", ")
            throw ModelSpecError(file: file, line: node.line, layer: path,
                                 message: "a layer is one `name: parameters` entry, got the keys \(keys); write e.g. `linear: {out: 10, bias: false}`")
        default:
            throw ModelSpecError(file: file, line: node.line, layer: path,
                                 message: "expected a layer name or `name: parameters`, got \(node.kind)")
        }
        guard let kind = LayerKind.named(name) else {
            let hint = LayerKind.suggestion(for: name).map { " (did you mean \($0)?)" } ?? ""
            let known = LayerKind.all.map(\.name).joined(separator: ", ")
            throw ModelSpecError(file: file, line: node.line, layer: path, message: "unknown layer \"\(name)\"\(hint); known layers: \(known)")
        }
        var params = try SpecParams(kind: kind, value: value, file: file, line: node.line, path: path)
        var arguments: [String: LayerArgument] = [:]
        for parameter in kind.parameters {
            if let argument = try decode(parameter, &params, path: path, depth: depth) {
                arguments[parameter.name] = argument
            } else if case .required(let example) = parameter.requirement {
                throw params.missing(parameter.name, example)
            }
        }
        try params.finish()
        return LayerSpec(kind, arguments)
    }

    /// The value of `parameter`, checked against its type, or nil when the layer leaves it out.
    private mutating func decode(_ parameter: LayerParameter, _ p: inout SpecParams, path: String,
                                 depth: Int) throws(ModelSpecError) -> LayerArgument? {
        let name = parameter.name
        switch parameter.type {
        case .int: return try p.int(name).map(LayerArgument.int)
        case .float: return try p.float(name).map(LayerArgument.float)
        case .bool: return try p.bool(name).map(LayerArgument.bool)
        case .padding: return try p.padding(name).map(LayerArgument.padding)
        case .size: return try p.pair(name).map { .size(height: $0.0, width: $0.1) }
        case .layers(let segment):
            guard let node = p.node(name) else { return nil }
            return .layers(try decodeLayers(node, prefix: "\(path).\(segment).", depth: depth + 1, what: "`\(name)`"))
        }
    }
}
