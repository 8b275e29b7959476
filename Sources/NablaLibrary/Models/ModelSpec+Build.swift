import NablaCore
import NablaBackend

/// Builds a spec's layers one by one, inferring each layer's input size from the shape the layers
/// before it produce. Each kind's `make` checks every size before its layer is made, so that no input
/// can crash.
package final class SpecBuilder {
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

    func build() throws(ModelSpecError) -> Sequential {
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
        case 3: return "add `laststep` after an lstm or gru, or `flatten`, to get one vector per sample"
        default: return "add `flatten` (or `globalavgpool2d`) before the last linear layer"
        }
    }

    /// The modules of `specs`, numbered `prefix0`, `prefix1`, …; `shape` goes from their input to their output.
    func layers(_ specs: [LayerSpec], prefix: String, shape: inout [Int], depth: Int) throws(ModelSpecError) -> [Module] {
        guard depth < SpecNode.maxDepth else { throw fail(prefix, nil, "residual layers nest deeper than \(SpecNode.maxDepth) levels") }
        var modules: [Module] = []
        for (i, layer) in specs.enumerated() {
            let path = prefix + String(i)
            let label = layer.kind.label?(layer, shape, outputs) ?? layer.kind.displayName
            let module = try layer.kind.make(layer, LayerBuildContext(builder: self, path: path, input: shape, depth: depth, label: label))
            do {
                shape = try module.outputShape(for: shape)
            } catch {
                throw fail(path, label, "gets input \(Self.show(shape)): \(Self.strip(error.message))")
            }
            guard let count = Self.count(shape), count <= Self.maxValuesPerSample, shape.allSatisfy({ $0 > 0 }) else {
                throw fail(path, label, "makes \(Self.show(shape)), too large or empty for one sample")
            }
            modules.append(module)
        }
        return modules
    }

    /// Counts `count` more parameters, failing past `maxParameters`.
    func reserve(_ count: Int, _ path: String, _ label: String) throws(ModelSpecError) {
        guard count <= Self.maxParameters - parameters else {
            throw fail(path, label, "brings the model past \(Self.maxParameters) parameters; use smaller layers")
        }
        parameters += count
    }

    func fail(_ path: String, _ label: String?, _ message: String) -> ModelSpecError {
        ModelSpecError(file: spec.name, line: spec.lines[path] ?? spec.lines[String(path.prefix { $0 != "." })],
                       layer: path.isEmpty ? nil : path, layerLabel: label, message: message)
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

/// What a kind's `make` knows while building one layer: where it is, its input, and the checks
/// whose errors name the file, the line and the layer.
package struct LayerBuildContext {
    let builder: SpecBuilder
    /// The layer's index path, e.g. "3" or "2.body.0".
    let path: String
    /// The input shape, batch first: [1, …].
    let input: [Int]
    let depth: Int
    /// What the layer is called in messages, e.g. "Linear 784→10".
    let label: String

    /// The model's number of outputs, when building for data.
    var outputs: Int? { builder.outputs }
    /// The size of the input's last dimension.
    var features: Int { input[input.count - 1] }
    /// The input as a message shows it, e.g. `[N, 1, 28, 28]`.
    var shownInput: String { SpecBuilder.show(input) }

    /// An error about this layer.
    func fail(_ message: String, label: String? = nil) -> ModelSpecError {
        builder.fail(path, label ?? self.label, message)
    }

    /// A layer's `out`, or the model's outputs when it is left out.
    func resolvedOut(_ out: Int?) throws(ModelSpecError) -> Int {
        if let value = out ?? outputs { return value }
        throw fail("has no `out`; give `out`, or build the model with the number of outputs (such as the class count)")
    }

    /// Fails unless `value` (the parameter `key`) is in `range`; `note` replaces "in a...b" in the message.
    func check(_ value: Int, in range: ClosedRange<Int>, _ key: String, note: String? = nil) throws(ModelSpecError) {
        guard !range.contains(value) else { return }
        throw fail("has \(key) = \(value); it must be \(note ?? "in \(range.lowerBound)...\(range.upperBound)")")
    }

    /// A window must fit in the padded input, as PyTorch requires (checked here because a strided
    /// window larger than the input would otherwise give an output of size 1).
    func checkWindow(_ extent: Int, padding: Int) throws(ModelSpecError) {
        guard input.count == 4, extent > input[2] + 2 * padding || extent > input[3] + 2 * padding else { return }
        throw fail("gets input \(shownInput); its window spans \(extent)×\(extent), more than the "
                   + "\(input[2])×\(input[3]) input\(padding > 0 ? " with padding \(padding)" : "")")
    }

    /// Counts the layer's parameters against the model's limit.
    func reserve(_ count: Int) throws(ModelSpecError) {
        try builder.reserve(count, path, label)
    }

    /// The layers of `layer`'s layer-list parameter `name`, numbered `path.segment.i`, and their output shape.
    func sequential(_ layer: LayerSpec, _ name: String) throws(ModelSpecError) -> (Sequential, [Int])? {
        guard let specs = layer.layers(name), case .layers(let segment)? = layer.kind.parameter(name)?.type else { return nil }
        var shape = input
        let modules = try builder.layers(specs, prefix: "\(path).\(segment).", shape: &shape, depth: depth + 1)
        return (Sequential(modules), shape)
    }
}
