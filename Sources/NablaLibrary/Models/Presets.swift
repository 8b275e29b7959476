import NablaCore
import NablaBackend

/// Choices shared by the presets; a preset ignores those that do not apply to it.
///
/// ```swift
/// let options = PresetOptions(hidden: [512, 256], activation: .gelu, dropout: 0.2, batchNorm: true)
/// let model = try ModelPreset.mlp.build(inputShape: [1, 28, 28], outputs: 10, options: options)
/// ```
public struct PresetOptions: Sendable, Equatable {
    /// Layer widths replacing the preset's own: mlp hidden widths, cnn conv channels then the
    /// dense width, resnet stage widths, lstm hidden size (one entry per layer, all equal).
    public var hidden: [Int]?
    /// The non-linearity of mlp, cnn and resnet.
    public var activation: Activation
    /// Dropout probability: after every mlp activation, before the last Linear of cnn and resnet,
    /// before the lstm head (and between stacked LSTM layers). 0 adds no layer.
    public var dropout: Float
    /// BatchNorm1d after each hidden Linear of mlp, BatchNorm2d after each cnn conv (resnet always has it).
    public var batchNorm: Bool
    /// gpt's transformer blocks, attention heads (they must divide `embed`) and embedding width.
    public var layers: Int, heads: Int, embed: Int

    /// ```swift
    /// let options = PresetOptions(hidden: [128], dropout: 0.1)
    /// ```
    public init(hidden: [Int]? = nil, activation: Activation = .relu, dropout: Float = 0, batchNorm: Bool = false,
                layers: Int = Hyperparameters.layers.defaultValue, heads: Int = Hyperparameters.heads.defaultValue,
                embed: Int = Hyperparameters.embed.defaultValue) {
        (self.layers, self.heads, self.embed) = (layers, heads, embed)
        self.hidden = hidden
        self.activation = activation
        self.dropout = dropout
        self.batchNorm = batchNorm
    }
}

/// A preset that cannot be built for the given shapes or options, e.g.
/// `cnn: needs image input [C, H, W], got [2]; use mlp or linear for feature vectors`.
public struct ModelPresetError: Error, CustomStringConvertible, Equatable {
    /// The preset's name, the problem and the fix.
    public var message: String
    /// ```swift
    /// throw ModelPresetError("cnn: needs image input [C, H, W], got [2]")
    /// ```
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}

/// Ready-made models, each with the state-dict names of the PyTorch model of the same name in
/// `Tests/Fixtures/model_presets.py`. Counts below are for Fashion-MNIST: input [1, 28, 28], 10 outputs.
///
/// ```swift
/// let model = try ModelPreset.cnn.build(inputShape: [1, 28, 28], outputs: 10)
/// print(model.parameterCount)   // 206922
/// ```
public enum ModelPreset: String, CaseIterable, Sendable {
    /// Flatten, Linear(in→out): softmax regression, or a straight line for regression.
    /// Names `1.weight`, `1.bias`; 7,850 parameters ([2] → 2: 6).
    case linear
    /// Flatten, Linear 256, act, Linear 128, act, Linear out. Names `1.*`, `3.*`, `5.*`;
    /// 235,146 parameters ([2] → 2: 33,922). BatchNorm1d and Dropout layers shift the indices.
    case mlp
    /// Conv2d(1,16,3,pad 1)-ReLU-MaxPool(2)-Conv2d(16,32,3,pad 1)-ReLU-MaxPool(2)-Flatten-Linear(1568,128)-ReLU-Linear(128,10).
    /// Names `0.*`, `3.*`, `7.*`, `9.*`; 206,922 parameters.
    case cnn
    /// Stem Conv 3×3 (1→32, no bias)-BN-ReLU-MaxPool(2), then three blocks `Sequential(Residual, ReLU)`
    /// at 32 (14×14), 64 (stride 2, 7×7) and 128 (stride 2, 4×4) channels, GlobalAvgPool2d, Linear(128→10).
    /// A block's body is conv-bn-act-conv-bn; its shortcut a 1×1 strided conv + BN when the shape changes.
    /// Names `0.weight`, `1.*` (BN), `4.0.body.0.weight` …, `5.0.shortcut.0.weight` …, `8.*`; 308,074 parameters.
    case resnet
    /// `SequenceClassifier(LSTM(28→128), head: Linear(128→10))`, reading image rows as time steps.
    /// Names `rnn.weight_ih_l0`, `rnn.weight_hh_l0`, `rnn.bias_ih_l0`, `rnn.bias_hh_l0`, `head.*`; 82,186 parameters.
    case lstm
    /// `GPT`, a character-level language model in nanoGPT's shape, for windows [T] (the block
    /// size) of tokens and a vocabulary of `outputs`; sized by `layers`, `heads`, `embed` and `dropout`.
    /// Names `transformer.wte.weight`, `transformer.h.0.attn.c_attn.weight`, …, `lm_head.weight`.
    case gpt

    /// Builds the preset for samples of `inputShape` (without the batch, e.g. `[1, 28, 28]` or `[2]`)
    /// and `outputs` outputs (classes, or regression targets).
    ///
    /// ```swift
    /// let net = try ModelPreset.resnet.build(inputShape: [1, 28, 28], outputs: 10, options: PresetOptions(dropout: 0.1))
    /// ```
    public func build(inputShape: [Int], outputs: Int, options: PresetOptions = PresetOptions()) throws(ModelPresetError) -> Module {
        try validate(inputShape: inputShape, outputs: outputs, options: options)
        let model: Module
        switch self {
        case .linear: model = try linearModel(inputShape, outputs, options)
        case .mlp: model = PresetBuilder.mlp(inFeatures: Shape.count(inputShape), outputs: outputs, options: options)
        case .cnn: model = try PresetBuilder.cnn(try image(inputShape), outputs: outputs, options: options)
        case .resnet: model = try PresetBuilder.resnet(try image(inputShape), outputs: outputs, options: options)
        case .lstm: model = try lstmModel(inputShape, outputs, options)
        case .gpt: model = try gptModel(inputShape, outputs, options)
        }
        do {
            _ = try model.outputShape(for: [1] + inputShape)
        } catch {
            throw ModelPresetError("\(rawValue): input \(inputShape) does not fit: \(error.message)")
        }
        return model
    }

    private func validate(inputShape: [Int], outputs: Int, options: PresetOptions) throws(ModelPresetError) {
        guard outputs > 0 else { throw ModelPresetError("\(rawValue): outputs must be positive, got \(outputs)") }
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 > 0 && $0 <= 1 << 20 }), !Self.tooLarge(inputShape) else {
            throw ModelPresetError("\(rawValue): invalid input shape \(inputShape); give one sample's positive sizes, e.g. [1, 28, 28]")
        }
        guard options.dropout >= 0 && options.dropout < 1 else {
            throw ModelPresetError("\(rawValue): dropout \(options.dropout) must be in [0, 1)")
        }
        if let hidden = options.hidden, !hidden.allSatisfy({ $0 > 0 && $0 <= 1 << 16 }) {
            throw ModelPresetError("\(rawValue): hidden sizes \(hidden) must be positive and at most 65536")
        }
    }

    private static func tooLarge(_ shape: [Int]) -> Bool {
        var count = 1
        for size in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            if overflow || product > 1 << 28 { return true }
            count = product
        }
        return false
    }

    /// [C, H, W], or an error that points to the presets for feature vectors.
    private func image(_ shape: [Int]) throws(ModelPresetError) -> (channels: Int, height: Int, width: Int) {
        guard shape.count == 3 else {
            throw ModelPresetError("\(rawValue): needs image input [C, H, W], got \(shape); use mlp or linear for feature vectors")
        }
        return (shape[0], shape[1], shape[2])
    }

    private func linearModel(_ shape: [Int], _ outputs: Int, _ options: PresetOptions) throws(ModelPresetError) -> Module {
        guard options.hidden?.isEmpty ?? true else {
            throw ModelPresetError("linear: has no hidden layers, got hidden \(options.hidden!); use mlp")
        }
        return PresetBuilder.mlp(inFeatures: Shape.count(shape), outputs: outputs, options: PresetOptions(hidden: []))
    }

    private func gptModel(_ shape: [Int], _ outputs: Int, _ options: PresetOptions) throws(ModelPresetError) -> Module {
        guard shape.count == 1 else {
            throw ModelPresetError("gpt: needs windows of tokens [T], got \(shape); train it on text data")
        }
        guard options.layers > 0, options.heads > 0, options.embed > 0, options.embed % options.heads == 0 else {
            throw ModelPresetError("gpt: heads \(options.heads) must divide embed \(options.embed), and layers \(options.layers) be positive")
        }
        return GPT(GPTConfiguration(vocabularySize: outputs, blockSize: shape[0], layers: options.layers, heads: options.heads,
                                    embed: options.embed, dropout: options.dropout))
    }

    private func lstmModel(_ shape: [Int], _ outputs: Int, _ options: PresetOptions) throws(ModelPresetError) -> Module {
        guard shape.count == 2 || shape.count == 3, let sequence = SequenceClassifier.sequenceShape([1] + shape) else {
            throw ModelPresetError("lstm: needs sequences [T, F] or images [C, H, W], got \(shape); use mlp or linear for feature vectors")
        }
        let hidden = options.hidden ?? [128]
        guard let size = hidden.first, hidden.allSatisfy({ $0 == size }), hidden.count <= 8 else {
            throw ModelPresetError("lstm: hidden \(hidden) must list one size per layer, all equal (at most 8 layers), e.g. [128, 128]")
        }
        let rnn = LSTM(inputSize: sequence[2], hiddenSize: size, numLayers: hidden.count, batchFirst: true,
                       dropout: hidden.count > 1 ? options.dropout : 0)
        return SequenceClassifier(rnn, head: Linear(size, outputs), dropout: options.dropout)
    }
}

/// The layer lists of the Sequential presets.
package enum PresetBuilder {
    static func mlp(inFeatures: Int, outputs: Int, options: PresetOptions) -> Sequential {
        var layers: [Module] = [Flatten()]
        var width = inFeatures
        for next in options.hidden ?? [256, 128] {
            layers.append(Linear(width, next))
            if options.batchNorm { layers.append(BatchNorm1d(next)) }
            layers.append(options.activation.makeLayer())
            if options.dropout > 0 { layers.append(Dropout(options.dropout)) }
            width = next
        }
        layers.append(Linear(width, outputs))
        return Sequential(layers)
    }

    static func cnn(_ image: (channels: Int, height: Int, width: Int), outputs: Int,
                    options: PresetOptions) throws(ModelPresetError) -> Sequential {
        let hidden = options.hidden ?? [16, 32, 128]
        guard hidden.count >= 2 else {
            throw ModelPresetError("cnn: hidden \(hidden) must list the conv channels then the dense width, e.g. [16, 32, 128]")
        }
        let convs = hidden.dropLast()
        var (channels, height, width) = image
        guard height >> convs.count > 0 && width >> convs.count > 0 else {
            throw ModelPresetError("cnn: a \(height)×\(width) image is too small for \(convs.count) 2×2 poolings")
        }
        var layers: [Module] = []
        for next in convs {
            layers.append(Conv2d(channels, next, kernelSize: 3, padding: 1))
            if options.batchNorm { layers.append(BatchNorm2d(next)) }
            layers += [options.activation.makeLayer(), MaxPool2d(2)]
            (channels, height, width) = (next, height / 2, width / 2)
        }
        layers += [Flatten(), Linear(channels * height * width, hidden.last!), options.activation.makeLayer()]
        if options.dropout > 0 { layers.append(Dropout(options.dropout)) }
        layers.append(Linear(hidden.last!, outputs))
        return Sequential(layers)
    }

    static func resnet(_ image: (channels: Int, height: Int, width: Int), outputs: Int,
                       options: PresetOptions) throws(ModelPresetError) -> Sequential {
        let widths = options.hidden ?? [32, 64, 128]
        guard !widths.isEmpty else { throw ModelPresetError("resnet: hidden must list the stage widths, e.g. [32, 64, 128]") }
        guard image.height >= 2 && image.width >= 2 else {
            throw ModelPresetError("resnet: a \(image.height)×\(image.width) image is too small; it needs at least 2×2")
        }
        var layers: [Module] = [Conv2d(image.channels, widths[0], kernelSize: 3, padding: 1, bias: false),
                                BatchNorm2d(widths[0]), options.activation.makeLayer(), MaxPool2d(2)]
        var channels = widths[0]
        for (stage, width) in widths.enumerated() {
            layers.append(block(channels, width, stride: stage == 0 ? 1 : 2, activation: options.activation))
            channels = width
        }
        layers.append(GlobalAvgPool2d())
        if options.dropout > 0 { layers.append(Dropout(options.dropout)) }
        layers.append(Linear(channels, outputs))
        return Sequential(layers)
    }

    /// `Sequential(Residual(conv-bn-act-conv-bn, projection: 1×1 conv-bn when the shape changes), act)`.
    static func block(_ inChannels: Int, _ outChannels: Int, stride: Int, activation: Activation) -> Sequential {
        let body = Sequential {
            Conv2d(inChannels, outChannels, kernelSize: 3, stride: stride, padding: 1, bias: false)
            BatchNorm2d(outChannels)
            activation.makeLayer()
            Conv2d(outChannels, outChannels, kernelSize: 3, padding: 1, bias: false)
            BatchNorm2d(outChannels)
        }
        let changes = stride != 1 || inChannels != outChannels
        let projection = changes ? Sequential {
            Conv2d(inChannels, outChannels, kernelSize: 1, stride: stride, bias: false)
            BatchNorm2d(outChannels)
        } : nil
        return Sequential { Residual(body, projection: projection); activation.makeLayer() }
    }
}
