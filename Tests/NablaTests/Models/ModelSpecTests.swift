import Foundation
import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

@Suite struct ModelSpecTests {
    static let yaml = """
        # a small CNN for Fashion-MNIST
        input: [1, 28, 28]
        layers:
          - conv2d: {out: 16, kernel: 3, padding: same}
          - relu
          - maxpool2d: 2
          - flatten
          - linear: 128
          - dropout: 0.2
          - linear: 10
        """

    static let json = """
        {
          "input": [1, 28, 28],
          "layers": [
            {"conv2d": {"out": 16, "kernel": 3, "padding": "same"}},
            "relu",
            {"maxpool2d": 2},
            "flatten",
            {"linear": 128},
            {"dropout": 0.2},
            {"linear": {"out": 10}}
          ]
        }
        """

    static let expectedLayers: [LayerSpec] = [
        .conv2d(out: 16, kernel: 3, padding: .same), .relu, .maxPool2d(kernel: 2), .flatten(),
        .linear(out: 128), .dropout(p: 0.2), .linear(out: 10),
    ]

    @Test func yamlAndJSONGiveTheSameModel() throws {
        let fromYAML = try ModelSpec.parse(Self.yaml, format: .yaml, name: "cnn.yaml")
        let fromJSON = try ModelSpec.parse(Self.json, format: .json, name: "cnn.json")
        #expect(fromYAML == fromJSON)
        #expect(fromYAML.inputShape == [1, 28, 28])
        #expect(fromYAML.layers == Self.expectedLayers)
        #expect(fromYAML.name == "cnn.yaml")
        let a = try fromYAML.build(), b = try fromJSON.build()
        #expect(a.namedState().map { "\($0.0) \($0.1.shape)" } == b.namedState().map { "\($0.0) \($0.1.shape)" })
        #expect(a.layers.map(\.typeName) == b.layers.map(\.typeName))
    }

    @Test func shapeInferenceFillsInInputSizes() throws {
        let model = try ModelSpec.parse(Self.yaml, format: .yaml).build()
        #expect(model.layers.map(\.typeName) == ["Conv2d(1→16, 3×3)", "ReLU", "MaxPool2d(2×2)", "Flatten",
                                                 "Linear(3136→128)", "Dropout(0.2)", "Linear(128→10)"])
        #expect(model.namedParameters().map(\.0) == ["0.weight", "0.bias", "4.weight", "4.bias", "6.weight", "6.bias"])
        #expect(model.parameterCount == (16 * 9 + 16) + (3136 * 128 + 128) + (128 * 10 + 10))
        #expect(try model.outputShape(for: [5, 1, 28, 28]) == [5, 10])
        #expect(model(Tensor.zeros([2, 1, 28, 28])).shape == [2, 10])
    }

    @Test func referenceCNNAsASpecEqualsThePreset() throws {
        let spec = try ModelSpec.parse("""
            input: [1, 28, 28]
            layers: [{conv2d: {out: 16, kernel: 3, padding: 1}}, relu, {maxpool2d: 2}, {conv2d: {out: 32, kernel: 3, padding: 1}},
                     relu, {maxpool2d: 2}, flatten, {linear: 128}, relu, linear]
            """, format: .yaml)
        let fromSpec = try spec.build(outputs: 10)
        let preset = try ModelPreset.cnn.build(inputShape: [1, 28, 28], outputs: 10)
        #expect(fromSpec.namedState().map(\.0) == preset.namedState().map(\.0))
        #expect(fromSpec.namedState().map(\.1.shape) == preset.namedState().map(\.1.shape))
        #expect(fromSpec.parameterCount == 206_922)
        try preset.loadStateDict(fromSpec.stateDict())
        let x = formulaInput([1, 28, 28])
        #expect(fromSpec(x).scalars == preset(x).scalars)
    }

    @Test func missingOutIsTheNumberOfOutputs() throws {
        let spec = ModelSpec(inputShape: [2], layers: [.linear(out: 8), .tanh, .linear(out: nil)], name: "xor.yaml")
        let model = try spec.build(outputs: 3)
        #expect(try model.outputShape(for: [4, 2]) == [4, 3])
        #expect(throws: ModelSpecError(file: "xor.yaml", layer: "2", layerLabel: "Linear 8→?",
                                       message: "has no `out`; give `out`, or build the model with the number of outputs (such as the class count)")) {
            try spec.build()
        }
    }

    @Test func explicitInputsThatFit() throws {
        let spec = try ModelSpec.parse("""
            {"input": [3, 8, 8], "layers": [{"conv2d": {"in": 3, "out": 4, "kernel": 3}}, "flatten", {"linear": {"in": 144, "out": 2}}]}
            """, format: .json)
        let model = try spec.build(outputs: 2)
        #expect(model.layers.map(\.typeName) == ["Conv2d(3→4, 3×3)", "Flatten", "Linear(144→2)"])
    }

    @Test func namesIgnoreCaseDashesAndUnderscores() throws {
        let spec = try ModelSpec.parse("""
            input: [4]
            layers:
              - Linear: 4
              - LeakyReLU: {slope: 0.2}
              - leaky_relu
              - LOGSOFTMAX
            """, format: .yaml)
        #expect(spec.layers == [.linear(out: 4), .leakyRelu(slope: 0.2), .leakyRelu(), .logSoftmax()])
    }

    @Test func lstmSpecReadsImageRows() throws {
        let spec = try ModelSpec.parse("""
            input: [1, 28, 28]
            layers:
              - flatten: {start: 1, end: 2}
              - lstm: {hidden: 32, layers: 2}
              - laststep
              - linear
            """, format: .yaml)
        let model = try spec.build(outputs: 10)
        #expect(model.namedParameters().map(\.0).prefix(4) == ["1.weight_ih_l0", "1.weight_hh_l0", "1.bias_ih_l0", "1.bias_hh_l0"])
        #expect(model.parameterCount == 4 * 32 * (28 + 32 + 2) + 4 * 32 * (32 + 32 + 2) + 32 * 10 + 10)
        #expect(model(formulaInput([1, 28, 28])).shape == [2, 10])
    }

    @Test func residualSpecNamesAndShapes() throws {
        let spec = try ModelSpec.parse("""
            input: [8, 6, 6]
            layers:
              - residual:
                  layers: [{conv2d: {out: 16, kernel: 3, stride: 2, padding: 1, bias: false}}, batchnorm2d, relu]
                  projection: [{conv2d: {out: 16, kernel: 1, stride: 2, bias: false}}, batchnorm2d]
              - residual: [{conv2d: {out: 16, kernel: 3, padding: same}}]
              - globalavgpool2d
            """, format: .yaml)
        let model = try spec.build()
        #expect(model.namedParameters().map(\.0) == ["0.body.0.weight", "0.body.1.weight", "0.body.1.bias", "0.shortcut.0.weight",
                                                     "0.shortcut.1.weight", "0.shortcut.1.bias", "1.body.0.weight", "1.body.0.bias"])
        #expect(try model.outputShape(for: [2, 8, 6, 6]) == [2, 16])
    }

    /// Every layer kind with parameters away from their defaults, in one model that builds.
    static let everyKind: [LayerSpec] = [
        .conv2d(out: 4, in: 2, kernel: 3, stride: 1, padding: .same, dilation: 1, bias: false),
        .batchNorm2d,
        .leakyRelu(slope: 0.2),
        .residual(layers: [.conv2d(out: 8, kernel: 3, stride: 2, padding: .size(1)), .elu(alpha: 0.5)],
                  projection: [.conv2d(out: 8, kernel: 1, stride: 2), .batchNorm2d]),
        .maxPool2d(kernel: 2, stride: 1, padding: 1),
        .avgPool2d(kernel: 3, stride: 1, padding: 1),
        .adaptiveAvgPool2d(height: 4, width: 3),
        .conv2d(out: 6, kernel: 3, padding: .size(2), dilation: 2),
        .gelu,
        .flatten(start: 1, end: 2),
        .lstm(hidden: 5, layers: 2, bias: false),
        .gru(hidden: 4, layers: 2, bias: false),
        .layerNorm,
        .lastStep,
        .linear(out: 6, in: 4, bias: false),
        .batchNorm1d,
        .silu, .dropout(p: 0.1), .tanh, .sigmoid, .relu,
        .residual(layers: [.linear(out: 6)]),
        .linear(out: nil),
        .softmax(axis: 1),
        .logSoftmax(axis: 0),
    ]

    /// The kinds of `layers` and of the layers inside them.
    static func kinds(_ layers: [LayerSpec]) -> [LayerKind] {
        layers.flatMap { layer in
            [layer.kind] + layer.arguments.values.flatMap { argument -> [LayerKind] in
                if case .layers(let inner) = argument { return kinds(inner) }
                return []
            }
        }
    }

    /// The kinds that need a model of their own: `globalavgpool2d` ends an image model, and
    /// `embedding` must come first.
    static let elsewhere: [(kind: LayerKind, spec: ModelSpec, sample: Tensor)] = [
        (.globalAvgPool2d, ModelSpec(inputShape: [3, 5, 5], layers: [.globalAvgPool2d, .linear(out: nil)]), formulaInput([3, 5, 5])),
        (.embedding, ModelSpec(inputShape: [6], layers: [.embedding(count: 10, dim: 4), .gru(hidden: 5), .lastStep, .linear(out: nil)]),
         Tensor(shape: [2, 6], scalars: [0, 1, 2, 3, 4, 9, 9, 8, 7, 0, 0, 5])),
    ] + [LayerKind.positionalEmbedding, .sinusoidalEncoding, .multiheadAttention, .transformerEncoder].map {
        ($0, attentionModel, Tensor(shape: [2, 6], scalars: [0, 1, 2, 3, 4, 9, 9, 8, 7, 0, 0, 5]))
    }

    /// The attention kinds over embedded tokens [N, 6, 8].
    static let attentionModel = ModelSpec(inputShape: [6], layers: [
        .embedding(count: 10, dim: 8), .positionalEmbedding(block: 8), .sinusoidalEncoding,
        .multiheadAttention(heads: 2, dropout: 0.1, bias: false, causal: true),
        .transformerEncoder(heads: 4, feedforward: 16, dropout: 0, gelu: true, prenorm: true, causal: true),
        .lastStep, .linear(out: nil),
    ])

    @Test(arguments: ModelSpec.Format.allCases)
    func everyLayerKindRoundTripsAndBuilds(_ format: ModelSpec.Format) throws {
        let spec = ModelSpec(inputShape: [2, 8, 8], layers: Self.everyKind, name: "all")
        // Activations are built one by one in LayerKindTests.
        let covered = Set(Self.kinds(Self.everyKind) + Self.elsewhere.map(\.kind))
        #expect(covered.isSubset(of: LayerKind.all))
        #expect(LayerKind.all.filter { $0.role == .layer && !covered.contains($0) } == [],
                "add a layer of each new kind to `everyKind` (or `elsewhere`)")
        let text = spec.text(format: format)
        let parsed = try ModelSpec.parse(text, format: format, name: "all.\(format)")
        #expect(parsed == spec, "\(text)")
        #expect(parsed.text(format: format) == text)
        let model = try parsed.build(outputs: 3)
        #expect(model.layers.count == Self.everyKind.count)
        #expect(try model.outputShape(for: [2, 2, 8, 8]) == [2, 3])
        model.eval()
        #expect(model(formulaInput([2, 8, 8])).shape == [2, 3])
        for (_, other, sample) in Self.elsewhere {
            #expect(try ModelSpec.parse(other.text(format: format), format: format) == other)
            let built = try other.build(outputs: 3)
            built.eval()
            #expect(built(sample).shape == [2, 3])
        }
    }

    @Test func defaultsAreLeftOutOfTheText() {
        let spec = ModelSpec(inputShape: [1, 28, 28], layers: Self.expectedLayers)
        #expect(spec.text(format: .yaml) == """
            input: [1, 28, 28]
            layers:
              - conv2d: {out: 16, kernel: 3, padding: same}
              - relu
              - maxpool2d: 2
              - flatten
              - linear: 128
              - dropout: 0.2
              - linear: 10

            """)
        #expect(spec.text(format: .json) == """
            {
              "input": [1, 28, 28],
              "layers": [
                {"conv2d": {"out": 16, "kernel": 3, "padding": "same"}},
                "relu",
                {"maxpool2d": 2},
                "flatten",
                {"linear": 128},
                {"dropout": 0.2},
                {"linear": 10}
              ]
            }

            """)
    }

    @Test func loadsFilesByExtension() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nabla-spec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let yamlURL = directory.appendingPathComponent("model.yml"), jsonURL = directory.appendingPathComponent("model.json")
        try Self.yaml.write(to: yamlURL, atomically: true, encoding: .utf8)
        try Self.json.write(to: jsonURL, atomically: true, encoding: .utf8)
        let a = try ModelSpec.load(contentsOf: yamlURL), b = try ModelSpec.load(contentsOf: jsonURL)
        #expect(a == b && a.name == "model.yml" && b.name == "model.json")
        let text = directory.appendingPathComponent("model.txt")
        try "input: [2]".write(to: text, atomically: true, encoding: .utf8)
        #expect(throws: ModelSpecError(file: "model.txt", message: "unknown spec format \"txt\"; name the file .json, .yaml or .yml")) {
            try ModelSpec.load(contentsOf: text)
        }
        let missing = directory.appendingPathComponent("absent.yaml")
        let error = try #require(throws: ModelSpecError.self) { try ModelSpec.load(contentsOf: missing) }
        #expect(error.description.hasPrefix("absent.yaml: cannot read the file"))
    }
}
