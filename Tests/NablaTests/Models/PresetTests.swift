import Foundation
import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// One configuration written by Tests/Fixtures/model_presets.py: the PyTorch twin's state-dict names
/// and shapes, parameter count and eval-mode output for formula weights and a formula input.
struct PresetCase: Sendable, CustomStringConvertible {
    let name: String, preset: String
    let input: [Int], outputs: Int
    let hidden: [Int]?, activation: String?, dropout: Float, batchNorm: Bool
    let state: [String: [Int]]
    let parameterNames: [String]
    let parameters: Int
    let outputShape: [Int]
    let output: [Double]
    var description: String { name }

    var options: PresetOptions {
        PresetOptions(hidden: hidden, activation: activation.flatMap(Activation.init(rawValue:)) ?? .relu,
                      dropout: dropout, batchNorm: batchNorm)
    }

    static func loadAll() -> [PresetCase] {
        let url = Fixtures.directory.appendingPathComponent("model_presets.json")
        guard let data = try? Data(contentsOf: url),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let cases = root["cases"] as? [[String: Any]] else {
            fatalError("missing \(url.path); regenerate with Tests/Fixtures/model_presets.py")
        }
        return cases.map { c in
            let options = c["options"] as! [String: Any]
            let output = c["output"] as! [String: Any]
            let state = (c["state"] as! [[String: Any]]).map { ($0["name"] as! String, $0["shape"] as! [Int]) }
            return PresetCase(name: c["name"] as! String, preset: c["preset"] as! String, input: c["input"] as! [Int],
                              outputs: c["outputs"] as! Int, hidden: options["hidden"] as? [Int],
                              activation: options["activation"] as? String,
                              dropout: (options["dropout"] as? NSNumber)?.floatValue ?? 0,
                              batchNorm: options["batchNorm"] as? Bool ?? false,
                              state: Dictionary(uniqueKeysWithValues: state), parameterNames: c["parameter_names"] as! [String],
                              parameters: c["parameters"] as! Int, outputShape: output["shape"] as! [Int],
                              output: (output["data"] as! [NSNumber]).map(\.doubleValue))
        }
    }
}

/// Sets parameter k, element i, to 0.1·sin(0.37·i + k), as model_presets.py does.
func setFormulaWeights(_ model: Module) {
    for (k, (_, parameter)) in model.namedParameters().enumerated() {
        let values = (0..<parameter.count).map { Float(0.1 * sin(0.37 * Double($0) + Double(k))) }
        parameter.assign(Tensor(shape: parameter.shape, scalars: values))
    }
}

/// A batch of two samples with element i = sin(0.1·i).
func formulaInput(_ sample: [Int]) -> Tensor {
    let shape = [2] + sample
    return Tensor(shape: shape, scalars: (0..<Shape.count(shape)).map { Float(sin(0.1 * Double($0))) })
}

@Suite struct PresetTests {
    static let cases = PresetCase.loadAll()

    @Test(arguments: cases)
    func matchesThePyTorchTwin(_ c: PresetCase) throws {
        let preset = try #require(ModelPreset(rawValue: c.preset))
        let model = try preset.build(inputShape: c.input, outputs: c.outputs, options: c.options)
        #expect(model.namedParameters().map(\.0) == c.parameterNames)
        let state = Dictionary(uniqueKeysWithValues: model.namedState().map { ($0.0, $0.1.shape) })
        #expect(state == c.state)
        #expect(model.parameterCount == c.parameters)
        setFormulaWeights(model)
        model.eval()
        let y = withNoGrad { model(formulaInput(c.input)) }
        #expect(y.shape == c.outputShape)
        #expect(allClose(y.scalars, c.output, rtol: 1e-3, atol: 2e-5), "\(c.name): max relative error \(maxError(y.scalars, c.output))")
    }

    @Test func fashionMNISTParameterCountsByHand() throws {
        // gpt reads windows of text, not images (GPTTests count its parameters).
        let imagePresets = ModelPreset.allCases.filter { $0 != .gpt }
        #expect(throws: ModelPresetError("gpt: needs windows of tokens [T], got [1, 28, 28]; train it on text data")) {
            try ModelPreset.gpt.build(inputShape: [1, 28, 28], outputs: 10)
        }
        let counts = try imagePresets.map { try $0.build(inputShape: [1, 28, 28], outputs: 10).parameterCount }
        // linear 784·10+10; mlp 784·256+256 + 256·128+128 + 128·10+10;
        // cnn 16·9+16 + 32·16·9+32 + 1568·128+128 + 128·10+10;
        // resnet stem 288+64, block 2·9216+128, block 18432+36864+2048+384, block 73728+147456+8192+768, fc 1290;
        // lstm 4·128·(28+128+2) + 128·10+10.
        #expect(counts == [7_850, 235_146, 206_922, 308_074, 82_186])
    }

    @Test func fashionMNISTForwardShapesInTrainingMode() throws {
        let x = formulaInput([1, 28, 28])
        for preset in ModelPreset.allCases where preset != .gpt {
            let model = try preset.build(inputShape: [1, 28, 28], outputs: 10)
            #expect(model(x).shape == [2, 10], "\(preset)")
        }
    }

    @Test func twoFeaturePresets() throws {
        let x = Tensor([[0.5, -1], [2, 0.25], [0, 0]])
        let linear = try ModelPreset.linear.build(inputShape: [2], outputs: 2)
        let mlp = try ModelPreset.mlp.build(inputShape: [2], outputs: 2)
        #expect(linear(x).shape == [3, 2])
        #expect(mlp(x).shape == [3, 2])
        #expect(linear.parameterCount == 6)
        #expect(mlp.parameterCount == 2 * 256 + 256 + 256 * 128 + 128 + 128 * 2 + 2)
        let regression = try ModelPreset.mlp.build(inputShape: [3], outputs: 1, options: PresetOptions(hidden: [4]))
        #expect(regression.namedParameters().map(\.0) == ["1.weight", "1.bias", "3.weight", "3.bias"])
        #expect(regression.parameterCount == 3 * 4 + 4 + 4 + 1)
    }

    @Test func documentedNames() throws {
        let cnn = try ModelPreset.cnn.build(inputShape: [1, 28, 28], outputs: 10)
        #expect(cnn.namedParameters().map(\.0) == ["0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias", "9.weight", "9.bias"])
        let resnet = try ModelPreset.resnet.build(inputShape: [1, 28, 28], outputs: 10)
        let names = resnet.namedParameters().map(\.0)
        #expect(names.prefix(3) == ["0.weight", "1.weight", "1.bias"])
        #expect(names.contains("4.0.body.0.weight") && names.contains("4.0.body.4.bias"))
        #expect(!names.contains { $0.hasPrefix("4.0.shortcut") })
        #expect(names.contains("5.0.shortcut.0.weight") && names.contains("6.0.shortcut.1.weight"))
        #expect(names.suffix(2) == ["8.weight", "8.bias"])
        #expect(resnet.namedBuffers().map(\.0).first == "1.running_mean")
        let lstm = try ModelPreset.lstm.build(inputShape: [1, 28, 28], outputs: 10)
        #expect(lstm.namedParameters().map(\.0)
                == ["rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0", "head.weight", "head.bias"])
    }

    @Test func resnetShapesThroughTheStages() throws {
        let resnet = try #require(try ModelPreset.resnet.build(inputShape: [1, 28, 28], outputs: 10) as? Sequential)
        var shape = [2, 1, 28, 28], shapes: [[Int]] = []
        for layer in resnet.layers {
            shape = try layer.outputShape(for: shape)
            shapes.append(shape)
        }
        #expect(shapes == [[2, 32, 28, 28], [2, 32, 28, 28], [2, 32, 28, 28], [2, 32, 14, 14], [2, 32, 14, 14],
                           [2, 64, 7, 7], [2, 128, 4, 4], [2, 128], [2, 10]])
    }

    @Test func optionsChangeTheLayers() throws {
        let options = PresetOptions(hidden: [64, 32], activation: .gelu, dropout: 0.5, batchNorm: true)
        let mlp = try #require(try ModelPreset.mlp.build(inputShape: [1, 28, 28], outputs: 10, options: options) as? Sequential)
        #expect(mlp.layers.map(\.typeName) == ["Flatten", "Linear(784→64)", "BatchNorm1d(64)", "GELU", "Dropout(0.5)",
                                               "Linear(64→32)", "BatchNorm1d(32)", "GELU", "Dropout(0.5)", "Linear(32→10)"])
        let cnn = try #require(try ModelPreset.cnn.build(inputShape: [1, 28, 28], outputs: 10,
                                                         options: PresetOptions(dropout: 0.25, batchNorm: true)) as? Sequential)
        #expect(cnn.layers.map(\.typeName) == ["Conv2d(1→16, 3×3)", "BatchNorm2d(16)", "ReLU", "MaxPool2d(2×2)",
                                               "Conv2d(16→32, 3×3)", "BatchNorm2d(32)", "ReLU", "MaxPool2d(2×2)", "Flatten",
                                               "Linear(1568→128)", "ReLU", "Dropout(0.25)", "Linear(128→10)"])
        let lstm = try ModelPreset.lstm.build(inputShape: [28, 28], outputs: 10, options: PresetOptions(hidden: [32, 32]))
        let rnn = try #require((lstm as? SequenceClassifier)?.rnn as? LSTM)
        #expect(rnn.numLayers == 2 && rnn.hiddenSize == 32 && rnn.inputSize == 28)
        let color = try ModelPreset.lstm.build(inputShape: [3, 8, 5], outputs: 4)
        #expect(try color.outputShape(for: [2, 3, 8, 5]) == [2, 4])
        #expect(((color as? SequenceClassifier)?.rnn as? LSTM)?.inputSize == 15)
    }

    @Test func unsuitableInputsThrowClearly() {
        #expect(throws: ModelPresetError("cnn: needs image input [C, H, W], got [2]; use mlp or linear for feature vectors")) {
            try ModelPreset.cnn.build(inputShape: [2], outputs: 2)
        }
        #expect(throws: ModelPresetError("resnet: needs image input [C, H, W], got [2]; use mlp or linear for feature vectors")) {
            try ModelPreset.resnet.build(inputShape: [2], outputs: 2)
        }
        #expect(throws: ModelPresetError("lstm: needs sequences [T, F] or images [C, H, W], got [2]; use mlp or linear for feature vectors")) {
            try ModelPreset.lstm.build(inputShape: [2], outputs: 2)
        }
        #expect(throws: ModelPresetError("cnn: a 3×3 image is too small for 2 2×2 poolings")) {
            try ModelPreset.cnn.build(inputShape: [1, 3, 3], outputs: 2)
        }
        #expect(throws: ModelPresetError("mlp: outputs must be positive, got 0")) { try ModelPreset.mlp.build(inputShape: [2], outputs: 0) }
        #expect(throws: ModelPresetError("mlp: dropout 1.0 must be in [0, 1)")) {
            try ModelPreset.mlp.build(inputShape: [2], outputs: 2, options: PresetOptions(dropout: 1))
        }
        #expect(throws: ModelPresetError("linear: has no hidden layers, got hidden [8]; use mlp")) {
            try ModelPreset.linear.build(inputShape: [2], outputs: 2, options: PresetOptions(hidden: [8]))
        }
        #expect(throws: ModelPresetError.self) { try ModelPreset.lstm.build(inputShape: [4, 4], outputs: 2, options: PresetOptions(hidden: [8, 4])) }
        #expect(throws: ModelPresetError.self) { try ModelPreset.mlp.build(inputShape: [0, 4], outputs: 2) }
        #expect(throws: ModelPresetError.self) { try ModelPreset.mlp.build(inputShape: [], outputs: 2) }
        #expect(throws: ModelPresetError.self) { try ModelPreset.resnet.build(inputShape: [1, 8, 8], outputs: 2, options: PresetOptions(hidden: [])) }
    }

    @Test func sequenceClassifierTakesTheLastStep() {
        let rnn = LSTM(inputSize: 3, hiddenSize: 4)
        let head = Linear(4, 2)
        let model = SequenceClassifier(rnn, head: head)
        let x = formulaInput([5, 3])
        let full = rnn(x)
        let expected = head(full.narrow(axis: 1, start: 4, length: 1).reshape([2, 4]))
        #expect(model(x).scalars == expected.scalars)
        #expect(LastStep()(full).scalars == full.narrow(axis: 1, start: 4, length: 1).scalars)
        #expect(throws: ShapeError.self) { try model.outputShape(for: [2, 3]) }
        #expect(throws: ShapeError.self) { try LastStep().outputShape(for: [2, 3]) }
    }
}
