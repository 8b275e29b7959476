import NablaCore
import NablaBackend

/// Builds a spec's layers one by one, inferring each layer's input size from the shape the layers
/// before it produce, and checking every size before a layer is made, so that no input can crash.
package struct SpecBuilder {
    let spec: ModelSpec
    let outputs: Int?
    /// Limits that keep a hostile spec from exhausting memory: scalars per sample and parameters.
    static let maxValuesPerSample = 1 << 28
    static let maxParameters = 1 << 28
    private var parameters = 0

    init(spec: ModelSpec, outputs: Int?) {
        self.spec = spec
        self.outputs = outputs
    }

    mutating func build() throws(ModelSpecError) -> Sequential {
        if let outputs, outputs <= 0 || outputs > 1 << 20 {
            throw ModelSpecError(file: spec.name, message: "the number of outputs must be in 1...\(1 << 20), got \(outputs)")
        }
        guard !spec.inputShape.isEmpty, spec.inputShape.allSatisfy({ $0 > 0 }), Self.count(spec.inputShape) != nil else {
            throw ModelSpecError(file: spec.name, message: "`input` \(spec.inputShape) must list positive sizes, e.g. [1, 28, 28]")
        }
        guard !spec.layers.isEmpty else { throw ModelSpecError(file: spec.name, message: "`layers` is empty; list at least one layer") }
        var shape = [1] + spec.inputShape
        let model = Sequential(try layers(spec.layers, prefix: "", shape: &shape, depth: 0))
        if let outputs, shape != [1, outputs] {
            let last = String(spec.layers.count - 1)
            throw ModelSpecError(file: spec.name, line: spec.lines[last],
                                 message: "the model gives \(Self.show(shape)) but the data needs [N, \(outputs)]; \(Self.outputHint(shape, outputs))")
        }
        return model
    }

    private static func outputHint(_ shape: [Int], _ outputs: Int) -> String {
        switch shape.count {
        case 2: return "set the last layer's `out` to \(outputs), or leave `out` out to use the data's size"
        case 3: return "add `laststep` after an lstm, or `flatten`, to get one vector per sample"
        default: return "add `flatten` (or `globalavgpool2d`) before the last linear layer"
        }
    }

    private mutating func layers(_ specs: [LayerSpec], prefix: String, shape: inout [Int], depth: Int) throws(ModelSpecError) -> [Module] {
        guard depth < SpecNode.maxDepth else { throw fail(prefix, nil, "residual layers nest deeper than \(SpecNode.maxDepth) levels") }
        var modules: [Module] = []
        for (i, layer) in specs.enumerated() {
            let path = prefix + String(i)
            let module = try make(layer, path: path, input: shape, depth: depth)
            do {
                shape = try module.outputShape(for: shape)
            } catch {
                throw fail(path, label(layer, shape), "gets input \(Self.show(shape)): \(Self.strip(error.message))")
            }
            guard let count = Self.count(shape), count <= Self.maxValuesPerSample, shape.allSatisfy({ $0 > 0 }) else {
                throw fail(path, label(layer, shape), "makes \(Self.show(shape)), too large or empty for one sample")
            }
            modules.append(module)
        }
        return modules
    }

    private mutating func make(_ layer: LayerSpec, path: String, input: [Int], depth: Int) throws(ModelSpecError) -> Module {
        let name = label(layer, input)
        switch layer {
        case .linear(let out, let declared, let bias):
            let features = input[input.count - 1]
            let out = try resolved(out, path, "Linear \(declared ?? features)→?")
            try check(out, in: 1...(1 << 20), "out", path, name)
            if let declared, declared != features {
                throw fail(path, "Linear \(declared)→\(out)", "gets \(features) features; set `in: \(features)` or leave `in` out to infer it")
            }
            try reserve(features * out + (bias ? out : 0), path, name)
            return Linear(features, out, bias: bias)
        case .conv2d(let out, let declared, let kernel, let stride, let padding, let dilation, let bias):
            return try conv2d(out: out, declared: declared, kernel: kernel, stride: stride, padding: padding, dilation: dilation,
                              bias: bias, path: path, input: input)
        case .maxPool2d(let kernel, let stride, let padding), .avgPool2d(let kernel, let stride, let padding):
            try check(kernel, in: 1...1024, "kernel", path, name)
            try check(stride ?? kernel, in: 1...1024, "stride", path, name)
            try check(padding, in: 0...(kernel / 2), "padding", path, name, note: "at most half the kernel, as in PyTorch")
            try checkWindow(kernel, padding: padding, input: input, path, name)
            if case .maxPool2d = layer { return MaxPool2d(kernel, stride: stride, padding: padding) }
            return AvgPool2d(kernel, stride: stride, padding: padding)
        case .adaptiveAvgPool2d(let height, let width):
            try check(height, in: 1...(1 << 16), "size", path, name)
            try check(width, in: 1...(1 << 16), "size", path, name)
            return AdaptiveAvgPool2d((height, width))
        case .globalAvgPool2d: return GlobalAvgPool2d()
        case .flatten(let start, let end):
            guard start >= 1 || (start < 0 && start + input.count >= 1) else {
                throw fail(path, name, "has start = \(start), which would flatten the batch dimension and mix samples; start at 1 or later")
            }
            return Flatten(startDim: start, endDim: end)
        case .dropout(let p):
            guard p >= 0 && p < 1 else { throw fail(path, name, "has p = \(p); a dropout probability must be in [0, 1)") }
            return Dropout(p)
        case .batchNorm1d, .batchNorm2d: return try batchNorm(layer, path: path, input: input)
        case .layerNorm:
            try reserve(2 * input[input.count - 1], path, name)
            return LayerNorm([input[input.count - 1]])
        case .softmax(let axis), .logSoftmax(let axis):
            try check(axis, in: -input.count...(input.count - 1), "axis", path, name, note: "an axis of the input \(Self.show(input))")
            if case .softmax = layer { return Softmax(axis: axis) }
            return LogSoftmax(axis: axis)
        case .relu, .tanh, .sigmoid, .leakyRelu, .elu, .gelu, .silu: return Self.activation(layer)
        case .residual(let body, let projection):
            return try residual(body, projection, path: path, input: input, depth: depth)
        case .lstm(let hidden, let stacked, let bias): return try lstm(hidden, stacked, bias, path: path, input: input)
        case .lastStep: return LastStep()
        }
    }

    private static func activation(_ layer: LayerSpec) -> Module {
        switch layer {
        case .tanh: Tanh()
        case .sigmoid: Sigmoid()
        case .leakyRelu(let slope): LeakyReLU(negativeSlope: slope)
        case .elu(let alpha): ELU(alpha: alpha)
        case .gelu: GELU()
        case .silu: SiLU()
        default: ReLU()
        }
    }

    private mutating func conv2d(out: Int?, declared: Int?, kernel: Int, stride: Int, padding: LayerSpec.Padding, dilation: Int,
                                 bias: Bool, path: String, input: [Int]) throws(ModelSpecError) -> Module {
        let out = try resolved(out, path, "Conv2d \(declared.map(String.init) ?? "?")→?")
        let name = "Conv2d \(declared.map(String.init) ?? (input.count == 4 ? String(input[1]) : "?"))→\(out)"
        guard input.count == 4 else {
            let hint = input.count == 2 ? "; give `input` as [C, H, W] and put convolutions before any flatten or linear layer" : ""
            throw fail(path, name, "gets input \(Self.show(input)); Conv2d needs [N, C, H, W]\(hint)")
        }
        if let declared, declared != input[1] {
            throw fail(path, name, "gets \(input[1]) channel\(input[1] == 1 ? "" : "s"); set `in: \(input[1])` or leave `in` out to infer it")
        }
        try check(out, in: 1...(1 << 16), "out", path, name)
        try check(kernel, in: 1...1024, "kernel", path, name)
        try check(stride, in: 1...1024, "stride", path, name)
        try check(dilation, in: 1...1024, "dilation", path, name)
        let pad: Conv2d.Padding
        switch padding {
        case .same:
            guard stride == 1 && dilation * (kernel - 1) % 2 == 0 else {
                throw fail(path, name, "has padding \"same\", which needs stride 1 and an odd kernel, as in PyTorch; give the padding as a number")
            }
            pad = .same
        case .size(let size):
            try check(size, in: 0...4096, "padding", path, name)
            try checkWindow(dilation * (kernel - 1) + 1, padding: size, input: input, path, name)
            pad = .explicit(size, size)
        }
        try reserve(Self.count([out, input[1], kernel, kernel]).map { $0 + (bias ? out : 0) } ?? Int.max, path, name)
        return Conv2d(input[1], out, kernelSize: (kernel, kernel), stride: (stride, stride), padding: pad,
                      dilation: (dilation, dilation), bias: bias)
    }

    private mutating func batchNorm(_ layer: LayerSpec, path: String, input: [Int]) throws(ModelSpecError) -> Module {
        let is2d = layer == .batchNorm2d
        guard is2d ? input.count == 4 : (input.count == 2 || input.count == 3) else {
            let needed = is2d ? "[N, C, H, W]; use batchnorm1d after linear layers" : "[N, C] or [N, C, L]; use batchnorm2d after convolutions"
            throw fail(path, label(layer, input), "gets input \(Self.show(input)); it needs \(needed)")
        }
        try reserve(2 * input[1], path, label(layer, input))
        return is2d ? BatchNorm2d(input[1]) : BatchNorm1d(input[1])
    }

    private mutating func residual(_ body: [LayerSpec], _ projection: [LayerSpec]?, path: String, input: [Int],
                                   depth: Int) throws(ModelSpecError) -> Module {
        guard !body.isEmpty, projection.map({ !$0.isEmpty }) ?? true else {
            throw fail(path, "Residual", "has an empty layer list; give `layers` (and `projection`, if any) at least one layer")
        }
        var bodyShape = input, skipShape = input
        let main = Sequential(try layers(body, prefix: path + ".body.", shape: &bodyShape, depth: depth + 1))
        var shortcut: Sequential?
        if let projection {
            shortcut = Sequential(try layers(projection, prefix: path + ".shortcut.", shape: &skipShape, depth: depth + 1))
        }
        guard bodyShape == skipShape else {
            throw fail(path, "Residual", "body gives \(Self.show(bodyShape)) but the shortcut gives \(Self.show(skipShape)); "
                       + "add or fix `projection`, e.g. \(Self.projectionHint(input, bodyShape))")
        }
        return Residual(main, projection: shortcut)
    }

    private static func projectionHint(_ input: [Int], _ output: [Int]) -> String {
        guard input.count == 4 && output.count == 4 else { return "`projection: [{linear: \(output.last ?? 1)}]`" }
        let stride = output[2] > 0 && input[2] % output[2] == 0 ? input[2] / output[2] : 1
        return "`projection: [{conv2d: {out: \(output[1]), kernel: 1, stride: \(stride)}}, batchnorm2d]`"
    }

    private mutating func lstm(_ hidden: Int, _ stacked: Int, _ bias: Bool, path: String, input: [Int]) throws(ModelSpecError) -> Module {
        let name = "LSTM \(input.count == 3 ? String(input[2]) : "?")→\(hidden)"
        guard input.count == 3 else {
            let hint = input.count == 4 ? "; add `flatten: {start: 1, end: 2}` before it to read image rows as time steps" : ""
            throw fail(path, name, "gets input \(Self.show(input)); LSTM needs a batch-first sequence [N, T, F]\(hint)")
        }
        try check(hidden, in: 1...(1 << 14), "hidden", path, name)
        try check(stacked, in: 1...16, "layers", path, name)
        try reserve(4 * hidden * (input[2] + hidden + (bias ? 2 : 0)) + (stacked - 1) * 4 * hidden * (2 * hidden + (bias ? 2 : 0)), path, name)
        return LSTM(inputSize: input[2], hiddenSize: hidden, numLayers: stacked, bias: bias, batchFirst: true)
    }

    // MARK: - Checks and messages

    /// A layer's `out`, or the model's outputs when it is left out.
    private func resolved(_ out: Int?, _ path: String, _ name: String) throws(ModelSpecError) -> Int {
        if let value = out ?? outputs { return value }
        throw fail(path, name, "has no `out`; give `out`, or build the model with the number of outputs (such as the class count)")
    }

    private func check(_ value: Int, in range: ClosedRange<Int>, _ key: String, _ path: String, _ name: String,
                       note: String? = nil) throws(ModelSpecError) {
        guard !range.contains(value) else { return }
        throw fail(path, name, "has \(key) = \(value); it must be \(note ?? "in \(range.lowerBound)...\(range.upperBound)")")
    }

    /// A window must fit in the padded input, as PyTorch requires (checked here because a strided
    /// window larger than the input would otherwise give an output of size 1).
    private func checkWindow(_ extent: Int, padding: Int, input: [Int], _ path: String, _ name: String) throws(ModelSpecError) {
        guard input.count == 4, extent > input[2] + 2 * padding || extent > input[3] + 2 * padding else { return }
        throw fail(path, name, "gets input \(Self.show(input)); its window spans \(extent)×\(extent), more than the "
                   + "\(input[2])×\(input[3]) input\(padding > 0 ? " with padding \(padding)" : "")")
    }

    private mutating func reserve(_ count: Int, _ path: String, _ name: String) throws(ModelSpecError) {
        guard count <= Self.maxParameters - parameters else {
            throw fail(path, name, "brings the model past \(Self.maxParameters) parameters; use smaller layers")
        }
        parameters += count
    }

    private func fail(_ path: String, _ label: String?, _ message: String) -> ModelSpecError {
        ModelSpecError(file: spec.name, line: spec.lines[path] ?? spec.lines[String(path.prefix { $0 != "." })],
                       layer: path.isEmpty ? nil : path, layerLabel: label, message: message)
    }

    /// What a layer is, for messages: "Linear 784→10", "Conv2d 1→16", "MaxPool2d".
    private func label(_ layer: LayerSpec, _ input: [Int]) -> String {
        switch layer {
        case .linear(let out, let declared, _):
            return "Linear \(declared ?? input[input.count - 1])→\(out ?? outputs ?? 0)"
        case .conv2d(let out, let declared, _, _, _, _, _):
            return "Conv2d \(declared.map(String.init) ?? (input.count == 4 ? String(input[1]) : "?"))→\(out ?? outputs ?? 0)"
        case .lstm(let hidden, _, _): return "LSTM \(input.count == 3 ? String(input[2]) : "?")→\(hidden)"
        default: return layer.kind.displayName
        }
    }

    /// `[N, 28, 28]`: the shape with the batch shown as N.
    static func show(_ shape: [Int]) -> String {
        "[" + (["N"] + shape.dropFirst().map(String.init)).joined(separator: ", ") + "]"
    }

    /// Drops the "Name(…): " that layer shape errors start with, as the label already names the layer.
    private static func strip(_ message: String) -> String {
        if let end = message.range(of: "): ") { return String(message[end.upperBound...]) }
        if let colon = message.range(of: ": "), !message[..<colon.lowerBound].contains(" ") {
            return String(message[colon.upperBound...])
        }
        return message
    }

    /// The number of scalars in `shape`, or nil on overflow.
    static func count(_ shape: [Int]) -> Int? {
        var total = 1
        for size in shape {
            let (product, overflow) = total.multipliedReportingOverflow(by: size)
            guard !overflow, product <= 1 << 40 else { return nil }
            total = product
        }
        return total
    }
}
