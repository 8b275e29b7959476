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
    /// The spec-file name of this layer.
    var kind: SpecLayerKind {
        switch self {
        case .linear: .linear
        case .conv2d: .conv2d
        case .maxPool2d: .maxpool2d
        case .avgPool2d: .avgpool2d
        case .adaptiveAvgPool2d: .adaptiveavgpool2d
        case .globalAvgPool2d: .globalavgpool2d
        case .flatten: .flatten
        case .dropout: .dropout
        case .batchNorm1d: .batchnorm1d
        case .batchNorm2d: .batchnorm2d
        case .layerNorm: .layernorm
        case .relu: .relu
        case .tanh: .tanh
        case .sigmoid: .sigmoid
        case .leakyRelu: .leakyRelu
        case .elu: .elu
        case .gelu: .gelu
        case .silu: .silu
        case .softmax: .softmax
        case .logSoftmax: .logsoftmax
        case .residual: .residual
        case .lstm: .lstm
        case .lastStep: .laststep
        }
    }

    /// A bare name when every parameter has its default, `name: value` when only the main
    /// parameter is set to a scalar, `name: {parameters}` otherwise.
    func encoded() -> SpecValue {
        let name = kind.rawValue
        let params = parameters
        if params.isEmpty { return .string(name) }
        if params.count == 1, params[0].0 == kind.parameters.first, params[0].1.isScalar { return .map([(name, params[0].1)]) }
        return .map([(name, .map(params))])
    }

    /// The parameters that differ from their defaults, in the order `SpecLayerKind.parameters` lists them.
    private var parameters: [(String, SpecValue)] {
        func int(_ key: String, _ value: Int?, default fallback: Int? = nil) -> [(String, SpecValue)] {
            guard let value, value != fallback else { return [] }
            return [(key, .int(value))]
        }
        func bias(_ flag: Bool) -> [(String, SpecValue)] { flag ? [] : [("bias", .bool(false))] }
        switch self {
        case .linear(let out, let input, let flag):
            return int("out", out) + int("in", input) + bias(flag)
        case .conv2d(let out, let input, let kernel, let stride, let padding, let dilation, let flag):
            let pad: [(String, SpecValue)] = switch padding {
            case .same: [("padding", .string("same"))]
            case .size(let size): int("padding", size, default: 0)
            }
            return int("out", out) + int("in", input) + int("kernel", kernel) + int("stride", stride, default: 1) + pad
                + int("dilation", dilation, default: 1) + bias(flag)
        case .maxPool2d(let kernel, let stride, let padding), .avgPool2d(let kernel, let stride, let padding):
            return int("kernel", kernel) + int("stride", stride) + int("padding", padding, default: 0)
        case .adaptiveAvgPool2d(let height, let width):
            return [("size", height == width ? .int(height) : .list([.int(height), .int(width)]))]
        case .flatten(let start, let end): return int("start", start, default: 1) + int("end", end, default: -1)
        case .dropout(let p): return [("p", .float(p))]
        case .leakyRelu(let slope): return slope == 0.01 ? [] : [("slope", .float(slope))]
        case .elu(let alpha): return alpha == 1 ? [] : [("alpha", .float(alpha))]
        case .softmax(let axis), .logSoftmax(let axis): return int("axis", axis, default: -1)
        case .residual(let layers, let projection):
            return [("layers", .list(layers.map { $0.encoded() }))]
                + (projection.map { [("projection", .list($0.map { $0.encoded() }))] } ?? [])
        case .lstm(let hidden, let layers, let flag): return int("hidden", hidden) + int("layers", layers, default: 1) + bias(flag)
        case .globalAvgPool2d, .batchNorm1d, .batchNorm2d, .layerNorm, .relu, .tanh, .sigmoid, .gelu, .silu, .lastStep:
            return []
        }
    }
}

extension SpecLayerKind {
    /// The layer's class name, for messages.
    var displayName: String {
        switch self {
        case .linear: "Linear"
        case .conv2d: "Conv2d"
        case .maxpool2d: "MaxPool2d"
        case .avgpool2d: "AvgPool2d"
        case .adaptiveavgpool2d: "AdaptiveAvgPool2d"
        case .globalavgpool2d: "GlobalAvgPool2d"
        case .flatten: "Flatten"
        case .dropout: "Dropout"
        case .batchnorm1d: "BatchNorm1d"
        case .batchnorm2d: "BatchNorm2d"
        case .layernorm: "LayerNorm"
        case .relu: "ReLU"
        case .tanh: "Tanh"
        case .sigmoid: "Sigmoid"
        case .leakyRelu: "LeakyReLU"
        case .elu: "ELU"
        case .gelu: "GELU"
        case .silu: "SiLU"
        case .softmax: "Softmax"
        case .logsoftmax: "LogSoftmax"
        case .residual: "Residual"
        case .lstm: "LSTM"
        case .laststep: "LastStep"
        }
    }
}
