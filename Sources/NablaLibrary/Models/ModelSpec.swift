import Foundation
import NablaCore
import NablaBackend

/// A model written as a file: the shape of one sample and a list of layers, in JSON or YAML.
///
/// Layers give only their output sizes; input channels and features are inferred by running shape
/// inference from `input` through each layer as the model is built. A layer is a bare name (`relu`)
/// or `name: value`, where the value is the layer's main parameter (`linear: 128`) or a mapping of
/// parameters (`conv2d: {out: 16, kernel: 3, padding: same}`). Names ignore case, `-` and `_`.
/// `LayerKind.all` lists the layer kinds with their parameters.
///
/// ```yaml
/// input: [1, 28, 28]
/// layers:
///   - conv2d: {out: 16, kernel: 3, padding: same}
///   - relu
///   - maxpool2d: 2
///   - flatten
///   - linear: 128
///   - dropout: 0.2
///   - linear: 10
/// ```
///
/// Layers are numbered from 0, in the order listed, which is also their index in the built
/// `Sequential` and so in state-dict names: layer 4 above is `4.weight`. Layers inside a `residual`
/// are numbered `2.body.0`, `2.shortcut.1`, … as their state-dict names are. Errors name the file,
/// the line, the layer and the fix, e.g. `model.yaml:9: layer 4 (Linear 512→128) gets 3136 features; …`.
///
/// ```swift
/// let spec = try ModelSpec.load(contentsOf: URL(fileURLWithPath: "model.yaml"))
/// let model = try spec.build(outputs: 10)
/// ```
public struct ModelSpec: Sendable, Equatable {
    /// The text format of a spec.
    public enum Format: String, Sendable, CaseIterable {
        case json, yaml

        /// The format for a file extension: `json`, or `yaml`/`yml`.
        public init?(pathExtension: String) {
            switch pathExtension.lowercased() {
            case "json": self = .json
            case "yaml", "yml": self = .yaml
            default: return nil
            }
        }
    }

    /// The file name used in messages.
    public var name: String
    /// The shape of one sample, without the batch dimension, e.g. `[1, 28, 28]` or `[2]`.
    public var inputShape: [Int]
    /// The layers, in order.
    public var layers: [LayerSpec]
    /// The source line of each layer, by index path ("3", "2.body.0"), for messages.
    var lines: [String: Int] = [:]

    /// A spec made in code.
    ///
    /// ```swift
    /// let spec = ModelSpec(inputShape: [2], layers: [.linear(out: 16), .tanh, .linear(out: nil)])
    /// let model = try spec.build(outputs: 2)
    /// ```
    public init(inputShape: [Int], layers: [LayerSpec], name: String = "model") {
        self.inputShape = inputShape
        self.layers = layers
        self.name = name
    }

    /// Reads a spec file; the extension (`.json`, `.yaml`, `.yml`) gives the format.
    ///
    /// ```swift
    /// let spec = try ModelSpec.load(contentsOf: URL(fileURLWithPath: "cnn.yaml"))
    /// ```
    public static func load(contentsOf url: URL) throws(ModelSpecError) -> ModelSpec {
        let file = url.lastPathComponent
        guard let format = Format(pathExtension: url.pathExtension) else {
            throw ModelSpecError(file: file, message: "unknown spec format \"\(url.pathExtension)\"; name the file .json, .yaml or .yml")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ModelSpecError(file: file, message: "cannot read the file (\(error.localizedDescription)); check the path")
        }
        guard data.count <= 1 << 20 else {
            throw ModelSpecError(file: file, message: "the file is \(data.count) bytes, more than a model spec's 1 MiB limit")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ModelSpecError(file: file, message: "the file is not UTF-8 text")
        }
        return try parse(text, format: format, name: file)
    }

    /// Parses spec text.
    ///
    /// ```swift
    /// let spec = try ModelSpec.parse("{\"input\": [2], \"layers\": [{\"linear\": 2}]}", format: .json, name: "tiny.json")
    /// ```
    /// - Parameter name: the file name used in messages.
    public static func parse(_ text: String, format: Format, name: String = "model") throws(ModelSpecError) -> ModelSpec {
        let root = try SpecDocument.parse(text, format: format, file: name)
        var decoder = SpecDecoder(file: name)
        return try decoder.decodeDocument(root)
    }

    /// Builds the model, checking every layer's input shape first, so that a mismatch is reported
    /// before any training. A `linear` or `conv2d` without `out` gets `outputs`; when `outputs` is
    /// given, the model's output must be [N, outputs].
    ///
    /// ```swift
    /// let model = try spec.build(outputs: dataset.classCount)
    /// ```
    public func build(outputs: Int? = nil) throws(ModelSpecError) -> Sequential {
        try SpecBuilder(spec: self, outputs: outputs).build()
    }

    /// Layers and input shape are compared; names and line numbers are not.
    public static func == (lhs: ModelSpec, rhs: ModelSpec) -> Bool {
        lhs.inputShape == rhs.inputShape && lhs.layers == rhs.layers
    }
}

/// A spec that cannot be read or built, naming the file, the line when known, the layer and the fix:
///
///     model.yaml:4: layer 2: unknown layer "conv3d"; known layers: linear, conv2d, …
///     model.yaml:9: layer 3 (Linear 512→10) gets 784 features; set `in: 784` or leave `in` out to infer it
///
/// ```swift
/// do { _ = try spec.build(outputs: 10) } catch { print(error) }   // error: ModelSpecError
/// ```
public struct ModelSpecError: Error, CustomStringConvertible, Equatable {
    /// The file name.
    public var file: String
    /// The 1-based line, when known.
    public var line: Int?
    /// The layer's index path, e.g. "3" or "2.body.1", when the problem is in a layer.
    public var layer: String?
    /// What the layer is, e.g. "Linear 512→10", for problems found while building.
    public var layerLabel: String?
    /// The problem and its fix.
    public var message: String

    /// ```swift
    /// throw ModelSpecError(file: "model.yaml", line: 4, layer: "2", message: "unknown layer \"conv3d\"")
    /// ```
    public init(file: String, line: Int? = nil, layer: String? = nil, layerLabel: String? = nil, message: String) {
        (self.file, self.line, self.layer, self.layerLabel, self.message) = (file, line, layer, layerLabel, message)
    }

    /// `file:line: layer K (Label) message`, or `file:line: layer K: message` without a label.
    public var description: String {
        var text = file + (line.map { ":\($0)" } ?? "") + ": "
        if let layer {
            text += "layer \(layer)" + (layerLabel.map { " (\($0)) " } ?? ": ")
        }
        return text + message
    }
}
