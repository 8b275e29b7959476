import NablaLibrary
import NablaCore
import NablaBackend

/// Everything needed to reproduce a training run; saved as the run folder's `config.json`.
///
/// ```swift
/// var config = RunConfiguration()
/// config.data = "fashion-mnist"; config.model = "cnn"; config.epochs = 3
/// let run = try TrainingRun(config)
/// let result = try run.fit()
/// ```
public struct RunConfiguration: Codable, Sendable, Equatable {
    // Data
    public var data = "spirals"
    public var dataDirectory: String?
    public var labelColumn: Int?
    public var standardize = false
    /// `classification` or `regression` for CSV and NPY labels; `nil` infers it conservatively
    /// (see `DataSource.inferTask`).
    public var task: Task?
    /// A held-out test file for `csv:` and `npy:` data (in the same format), scored after training
    /// and by `nabla eval`; Fashion-MNIST and MNIST bring their own test split.
    public var testData: String?
    /// The fraction of the training set held out for validation.
    public var validationSplit = Hyperparameters.validationSplit.defaultValue
    public var augment = false
    public var syntheticCount = Hyperparameters.syntheticCount.defaultValue
    /// Expand `csv:` and `npy:` features with all monomials up to this degree (`PolynomialFeatures`,
    /// before standardization); `nil` keeps the features as they are.
    public var polyFeatures = Hyperparameters.polyFeatures.defaultValue

    // Model
    /// A preset (`linear`, `mlp`, `cnn`, `resnet`, `lstm`) or a JSON/YAML spec file.
    public var model = "mlp"
    public var hidden: [Int]?
    /// The presets' activation, one of `Activation.allCases` by name.
    public var activation = "relu"
    public var dropout = Hyperparameters.dropout.defaultValue
    public var batchNorm = false
    /// A weight initializer name (see `Initializer.named`), or `nil` for PyTorch's defaults.
    public var initializer: String?
    /// A safetensors file whose tensors replace the initial weights.
    public var pretrained: String?
    /// The gpt preset's blocks, heads and width, and the window length of text data; `nil` takes
    /// `Hyperparameters.layers`' (`heads`', `embed`', `blockSize`') default.
    public var layers: Int?, heads: Int?, embed: Int?, blockSize: Int?

    // Objective and optimizer
    /// `cross-entropy`, `hinge` (two classes), `multi-margin` (classification); `mse`, `mae`, `rmse`, `msle`, `huber`, `smooth-l1`
    /// (regression); `nil` picks by task.
    public var loss: String?
    public var labelSmoothing = Hyperparameters.labelSmoothing.defaultValue
    public var huberDelta = Hyperparameters.huberDelta.defaultValue
    /// One of `OptimizerKind.names`.
    public var optimizer = OptimizerKind.adam.rawValue
    /// The learning rate a new run starts with; `nil` takes the optimizer's default
    /// (`Hyperparameters.learningRate`). A resumed run continues with the rate its checkpoint recorded.
    public var learningRate: Double?
    /// `nil` takes the optimizer's default, as do `eps` and `weightDecay`.
    public var momentum: Double?
    public var beta1 = Hyperparameters.beta1.defaultValue
    public var beta2 = Hyperparameters.beta2.defaultValue
    public var eps: Double?
    public var weightDecay: Double?
    /// One of `RunConfiguration.scheduleNames`.
    public var lrSchedule = "none"
    public var lrStepSize = Hyperparameters.lrStepSize.defaultValue
    public var lrGamma = Hyperparameters.lrGamma.defaultValue
    /// Epochs of warm-up, converted to steps; `nil` is none, except for the `warmup` schedule (5).
    public var warmupEpochs: Int?
    public var plateauPatience = Hyperparameters.plateauPatience.defaultValue
    public var l1 = Hyperparameters.l1.defaultValue
    public var l2 = Hyperparameters.l2.defaultValue
    public var clipNorm = Hyperparameters.clipNorm.defaultValue
    public var clipValue = Hyperparameters.clipValue.defaultValue
    // Settings added later are optional, so that config.json files saved before them still load;
    // `nil` is the default (see RunConfiguration+Training.swift).
    /// Steps of warm-up (instead of `warmupEpochs`).
    public var warmupSteps: Int?
    /// The floor of the cosine schedule (`nil`: 0).
    public var minLearningRate: Double?
    /// `all` or `matrices` (`WeightDecayScope`); `nil` is `matrices` for the `gpt` preset and `all` otherwise.
    public var weightDecayParameters: String?
    /// AMSGrad for `adam` and `adamw`.
    public var amsgrad: Bool?
    /// SGD's dampening, for `sgd` and `momentum`.
    public var dampening: Double?
    /// RMSProp's alpha.
    public var rmspropAlpha: Double?
    /// Cross-entropy weights, one per class.
    public var classWeights: [Double]?
    /// Micro-batches per batch (`nil`: 1).
    public var accumulationSteps: Int?
    /// Optimizer steps per evaluation period, in place of epochs.
    public var evalEvery: Int?
    /// Random rotation of training images, in ± degrees.
    public var rotation: Double?
    /// In a distributed run, BatchNorm layers normalize over the whole global batch, all ranks
    /// together (`Module.synchronizeBatchNorm(over:)`); `nil` is no: each rank's own shard.
    public var syncBatchNorm: Bool?

    // Schedule and stopping
    /// A number of samples, or `all` for full-batch gradient descent.
    public var batchSize = String(Hyperparameters.batchSize.defaultValue)
    public var epochs = Hyperparameters.epochs.defaultValue
    public var maxSteps = Hyperparameters.maxSteps.defaultValue
    public var earlyStopPatience = Hyperparameters.earlyStopPatience.defaultValue
    public var minDelta = Hyperparameters.minDelta.defaultValue
    public var gradientTolerance = Hyperparameters.gradientTolerance.defaultValue
    public var lossTolerance = Hyperparameters.lossTolerance.defaultValue
    public var explodingThreshold = Hyperparameters.explodingThreshold.defaultValue
    /// `nil` is `Hyperparameters.divergenceFactor`'s default (optional, so that configurations saved
    /// before the setting existed still load).
    public var divergenceFactor: Double?
    /// `nil` is `Hyperparameters.divergenceSteps`' default.
    public var divergenceSteps: Int?

    // Run
    public var seed = Hyperparameters.seed.defaultValue
    /// Evaluate top-k accuracy on validation (classification with more than k classes).
    public var topK = Hyperparameters.topK.defaultValue

    public init() {}
}

extension RunConfiguration {
    /// The batch size for a data set of `count` samples.
    public func resolvedBatchSize() throws -> BatchSize {
        if batchSize.lowercased() == "all" { return .all }
        guard let n = Int(batchSize), Hyperparameters.batchSize.bounds.contains(n) else {
            throw ConfigurationError("\(setting: .batchSize) \(batchSize): expected a positive number of samples or \"all\"")
        }
        return .fixed(n)
    }

    /// The loss function by name for `task` with `classes` classes (classification).
    public func makeLoss(task: Task, classes: Int) throws -> (Tensor, Tensor) -> Tensor {
        let name = loss ?? (task == .regression ? "mse" : "cross-entropy")
        let smoothing = labelSmoothing, delta = huberDelta
        if classWeights != nil, (name, task) != ("cross-entropy", .classification) {
            throw ConfigurationError("\(setting: .classWeights) apply to cross-entropy classification, not \(name)")
        }
        switch (name, task) {
        case ("cross-entropy", .classification):
            let weight = try classWeightTensor(classes: classes)
            return { crossEntropy($0, $1, weight: weight, labelSmoothing: smoothing) }
        case ("multi-margin", .classification): return { multiMarginLoss($0, $1) }
        case ("hinge", .classification):
            guard classes == 2 else {
                throw ConfigurationError("\(setting: .loss) hinge is the two-class ±1 hinge, and the data has \(classes) classes; use multi-margin")
            }
            return { twoClassHinge($0, $1) }
        case ("mse", .regression): return { mseLoss($0, $1) }
        case ("mae", .regression), ("l1", .regression): return { l1Loss($0, $1) }
        case ("rmse", .regression): return { rmseLoss($0, $1) }
        case ("msle", .regression): return { msleLoss($0, $1) }
        case ("huber", .regression): return { huberLoss($0, $1, delta: delta) }
        case ("smooth-l1", .regression): return { smoothL1Loss($0, $1, beta: delta) }
        case ("cross-entropy", .languageModeling): return { languageModelLoss($0, $1) }
        default:
            let names = [Task.classification: "cross-entropy, hinge, multi-margin", .regression: "mse, mae, rmse, msle, huber, smooth-l1"][task] ?? "cross-entropy"
            throw ConfigurationError("\(setting: .loss) \(name): not available for \(task.rawValue); use one of \(names)")
        }
    }

    /// The optimizer's kind and settings; those left `nil` take the kind's defaults.
    public func optimizerSettings() throws -> OptimizerSettings {
        var settings = OptimizerSettings(kind: try OptimizerKind.named(optimizer), learningRate: learningRate, momentum: momentum,
                                         beta1: beta1, beta2: beta2, eps: eps, weightDecay: weightDecay)
        try addOptimizerOptions(to: &settings)
        return settings
    }

    /// The optimizer by name over `parameters`.
    public func makeOptimizer(_ parameters: [Parameter]) throws -> Optimizer {
        try optimizerSettings().makeOptimizer(parameters)
    }

    /// The activation by name, ignoring case, `-` and `_` as model specs do.
    public func resolvedActivation() throws -> Activation {
        guard let a = Activation.named(activation) else {
            throw ConfigurationError("\(setting: .activation) \(activation): unknown; use one of \(Activation.choices)")
        }
        return a
    }
}

extension Initializer {
    /// The initializers by name, as `RunConfiguration.initializer` takes them.
    public static let names = ["xavier-uniform", "xavier-normal", "kaiming-uniform", "kaiming-normal", "normal", "uniform", "zeros"]

    /// Looks an initializer up by name.
    public static func named(_ name: String) throws -> Initializer {
        switch name.lowercased() {
        case "xavier-uniform", "glorot-uniform": return .xavierUniform
        case "xavier-normal", "glorot-normal": return .xavierNormal
        case "kaiming-uniform", "he-uniform": return .kaimingUniform
        case "kaiming-normal", "he-normal": return .kaimingNormal
        case "normal": return .normal(mean: 0, std: 0.01)
        case "uniform": return .uniform(low: -0.05, high: 0.05)
        case "zeros": return .zeros
        default: throw ConfigurationError("\(setting: .initializer) \(name): unknown; use one of \(names.joined(separator: ", "))")
        }
    }
}

/// The ±1 hinge max(0, 1 − y·s) of two-class logits [N, 2], with the score s = z₁ − z₀ and
/// y = +1 for class 1, −1 for class 0: twice the two-class multi-margin loss.
func twoClassHinge(_ logits: Tensor, _ targets: Tensor) -> Tensor {
    let scores = logits.narrow(axis: 1, start: 1, length: 1) - logits.narrow(axis: 1, start: 0, length: 1)
    return hingeLoss(scores.reshape([logits.shape[0]]), targets * 2 - 1)
}
