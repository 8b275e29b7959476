import NablaCore
import NablaBackend

/// The layer names of a model spec, with their parameters; the first parameter is the one a bare
/// value sets (`linear: 128` is `linear: {out: 128}`).
package enum SpecLayerKind: String, CaseIterable {
    case linear, conv2d, maxpool2d, avgpool2d, adaptiveavgpool2d, globalavgpool2d, flatten, dropout
    case batchnorm1d, batchnorm2d, layernorm
    case relu, tanh, sigmoid, leakyRelu = "leaky-relu", elu, gelu, silu, softmax, logsoftmax
    case residual, lstm, laststep

    var parameters: [String] {
        switch self {
        case .linear: ["out", "in", "bias"]
        case .conv2d: ["out", "in", "kernel", "stride", "padding", "dilation", "bias"]
        case .maxpool2d, .avgpool2d: ["kernel", "stride", "padding"]
        case .adaptiveavgpool2d: ["size"]
        case .flatten: ["start", "end"]
        case .dropout: ["p"]
        case .leakyRelu: ["slope"]
        case .elu: ["alpha"]
        case .softmax, .logsoftmax: ["axis"]
        case .residual: ["layers", "projection"]
        case .lstm: ["hidden", "layers", "bias"]
        case .globalavgpool2d, .batchnorm1d, .batchnorm2d, .layernorm, .relu, .tanh, .sigmoid, .gelu, .silu, .laststep: []
        }
    }

    /// Names compare ignoring case, `-` and `_`: `LeakyReLU`, `leaky_relu` and `leaky-relu` are one.
    static func named(_ name: String) -> SpecLayerKind? {
        allCases.first { normalized($0.rawValue) == normalized(name) }
    }

    static func normalized(_ name: String) -> String {
        String(name.lowercased().filter { $0 != "-" && $0 != "_" })
    }

    /// The known name closest to `name`, if it is within two edits.
    static func suggestion(for name: String) -> String? {
        let target = Array(normalized(name))
        let scored = allCases.map { ($0.rawValue, editDistance(Array(normalized($0.rawValue)), target)) }
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
        guard let kind = SpecLayerKind.named(name) else {
            let hint = SpecLayerKind.suggestion(for: name).map { " (did you mean \($0)?)" } ?? ""
            let known = SpecLayerKind.allCases.map(\.rawValue).joined(separator: ", ")
            throw ModelSpecError(file: file, line: node.line, layer: path, message: "unknown layer \"\(name)\"\(hint); known layers: \(known)")
        }
        var params = try SpecParams(kind: kind, value: value, file: file, line: node.line, path: path)
        let layer = try decode(kind, &params, path: path, depth: depth)
        try params.finish()
        return layer
    }

    private mutating func decode(_ kind: SpecLayerKind, _ p: inout SpecParams, path: String, depth: Int) throws(ModelSpecError) -> LayerSpec {
        switch kind {
        case .linear: return .linear(out: try p.int("out"), in: try p.int("in"), bias: try p.bool("bias") ?? true)
        case .conv2d:
            return .conv2d(out: try p.int("out"), in: try p.int("in"), kernel: try p.requiredInt("kernel", example: "{out: 16, kernel: 3}"),
                           stride: try p.int("stride") ?? 1, padding: try p.padding() ?? .size(0),
                           dilation: try p.int("dilation") ?? 1, bias: try p.bool("bias") ?? true)
        case .maxpool2d, .avgpool2d:
            let kernel = try p.requiredInt("kernel", example: "2")
            let (stride, padding) = (try p.int("stride"), try p.int("padding") ?? 0)
            return kind == .maxpool2d ? .maxPool2d(kernel: kernel, stride: stride, padding: padding)
                : .avgPool2d(kernel: kernel, stride: stride, padding: padding)
        case .adaptiveavgpool2d:
            let size = try p.requiredPair("size", example: "[1, 1]")
            return .adaptiveAvgPool2d(height: size.0, width: size.1)
        case .globalavgpool2d: return .globalAvgPool2d
        case .flatten: return .flatten(start: try p.int("start") ?? 1, end: try p.int("end") ?? -1)
        case .dropout: return .dropout(p: try p.float("p") ?? 0.5)
        case .batchnorm1d: return .batchNorm1d
        case .batchnorm2d: return .batchNorm2d
        case .layernorm: return .layerNorm
        case .relu: return .relu
        case .tanh: return .tanh
        case .sigmoid: return .sigmoid
        case .leakyRelu: return .leakyRelu(slope: try p.float("slope") ?? 0.01)
        case .elu: return .elu(alpha: try p.float("alpha") ?? 1)
        case .gelu: return .gelu
        case .silu: return .silu
        case .softmax: return .softmax(axis: try p.int("axis") ?? -1)
        case .logsoftmax: return .logSoftmax(axis: try p.int("axis") ?? -1)
        case .residual:
            let body = try p.requiredNode("layers", example: "{layers: [{linear: 64}, relu]}")
            let layers = try decodeLayers(body, prefix: path + ".body.", depth: depth + 1, what: "`layers`")
            guard let projection = p.node("projection") else { return .residual(layers: layers) }
            return .residual(layers: layers, projection: try decodeLayers(projection, prefix: path + ".shortcut.", depth: depth + 1, what: "`projection`"))
        case .lstm:
            return .lstm(hidden: try p.requiredInt("hidden", example: "128"), layers: try p.int("layers") ?? 1,
                         bias: try p.bool("bias") ?? true)
        case .laststep: return .lastStep
        }
    }
}
