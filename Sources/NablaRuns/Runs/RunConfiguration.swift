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
    /// The fraction of the training set held out for validation.
    public var validationSplit = 0.1
    public var augment = false
    public var syntheticCount = 1000

    // Model
    /// A preset (`linear`, `mlp`, `cnn`, `resnet`, `lstm`) or a JSON/YAML spec file.
    public var model = "mlp"
    public var hidden: [Int]?
    /// The presets' activation, one of `Activation.allCases` by name.
    public var activation = "relu"
    public var dropout: Float = 0
    public var batchNorm = false
    /// A weight initializer name (see `Initializer.named`), or `nil` for PyTorch's defaults.
    public var initializer: String?
    /// A safetensors file whose tensors replace the initial weights.
    public var pretrained: String?

    // Objective and optimizer
    /// `cross-entropy`, `mse`, `mae`, `huber`, `smooth-l1`, `hinge`; `nil` picks by task.
    public var loss: String?
    public var labelSmoothing: Float = 0
    public var huberDelta: Float = 1
    /// `sgd`, `momentum`, `nesterov`, `adagrad`, `rmsprop`, `adam`, `adamw`.
    public var optimizer = "adam"
    public var learningRate = 1e-3
    public var momentum = 0.9
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var eps = 1e-8
    public var weightDecay = 0.0
    /// `none`, `step`, `exponential`, `cosine`, `warmup`, `plateau`.
    public var lrSchedule = "none"
    public var lrStepSize = 10
    public var lrGamma = 0.1
    public var warmupEpochs = 5
    public var plateauPatience = 3
    public var l1 = 0.0
    public var l2 = 0.0
    public var clipNorm: Double?
    public var clipValue: Double?

    // Schedule and stopping
    /// A number of samples, or `all` for full-batch gradient descent.
    public var batchSize = "128"
    public var epochs = 5
    public var maxSteps: Int?
    public var earlyStopPatience: Int?
    public var minDelta = 0.0
    public var gradientTolerance: Double?
    public var lossTolerance: Double?
    public var explodingThreshold = 1e3

    // Run
    public var seed: UInt64 = 0
    /// Evaluate top-k accuracy on validation (classification with more than k classes).
    public var topK = 5

    public init() {}
}

/// A configuration value the user must fix; names the option and what is accepted.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension RunConfiguration {
    /// The batch size for a data set of `count` samples.
    public func resolvedBatchSize() throws -> BatchSize {
        if batchSize.lowercased() == "all" { return .all }
        guard let n = Int(batchSize), n > 0 else {
            throw ConfigurationError("--batch-size \(batchSize): expected a positive number of samples or \"all\"")
        }
        return .fixed(n)
    }

    /// The loss function by name for `task`.
    public func makeLoss(task: Task) throws -> (Tensor, Tensor) -> Tensor {
        let name = loss ?? (task == .classification ? "cross-entropy" : "mse")
        let smoothing = labelSmoothing, delta = huberDelta
        switch (name, task) {
        case ("cross-entropy", .classification): return { crossEntropy($0, $1, labelSmoothing: smoothing) }
        case ("multi-margin", .classification), ("hinge", .classification): return { multiMarginLoss($0, $1) }
        case ("mse", .regression): return { mseLoss($0, $1) }
        case ("mae", .regression), ("l1", .regression): return { l1Loss($0, $1) }
        case ("rmse", .regression): return { rmseLoss($0, $1) }
        case ("huber", .regression): return { huberLoss($0, $1, delta: delta) }
        case ("smooth-l1", .regression): return { smoothL1Loss($0, $1, beta: delta) }
        default:
            let names = task == .classification ? "cross-entropy, hinge" : "mse, mae, rmse, huber, smooth-l1"
            throw ConfigurationError("--loss \(name): not available for \(task.rawValue); use one of \(names)")
        }
    }

    /// The optimizer by name over `parameters`.
    public func makeOptimizer(_ parameters: [Parameter]) throws -> Optimizer {
        let lr = learningRate, wd = weightDecay
        guard lr > 0 else { throw ConfigurationError("--lr \(lr): the learning rate must be positive") }
        guard wd >= 0 else { throw ConfigurationError("--weight-decay \(wd): must be zero or positive") }
        guard momentum >= 0, momentum < 1 else { throw ConfigurationError("--momentum \(momentum): must be in [0, 1)") }
        guard (0..<1).contains(beta1), (0..<1).contains(beta2) else {
            throw ConfigurationError("--beta1 \(beta1) / --beta2 \(beta2): each must be in [0, 1)")
        }
        switch optimizer.lowercased() {
        case "sgd": return SGD(parameters, learningRate: lr, weightDecay: wd)
        case "momentum": return SGD(parameters, learningRate: lr, momentum: momentum, weightDecay: wd)
        case "nesterov": return SGD(parameters, learningRate: lr, momentum: momentum, weightDecay: wd, nesterov: true)
        case "adagrad": return AdaGrad(parameters, learningRate: lr, weightDecay: wd, eps: eps)
        case "rmsprop": return RMSProp(parameters, learningRate: lr, eps: eps, weightDecay: wd)
        case "adam": return Adam(parameters, learningRate: lr, betas: (beta1, beta2), eps: eps, weightDecay: wd)
        case "adamw": return AdamW(parameters, learningRate: lr, betas: (beta1, beta2), eps: eps, weightDecay: wd == 0 ? 1e-2 : wd)
        default:
            throw ConfigurationError("--optimizer \(optimizer): unknown; use one of sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw")
        }
    }

    /// The learning-rate schedule by name, as an epoch scheduler or a plateau scheduler.
    public func makeSchedule(_ optimizer: Optimizer) throws -> (LRScheduler?, ReduceLROnPlateau?) {
        switch lrSchedule.lowercased() {
        case "none", "constant": return (nil, nil)
        case "step": return (StepLR(optimizer, stepSize: lrStepSize, gamma: lrGamma), nil)
        case "exponential": return (ExponentialLR(optimizer, gamma: lrGamma), nil)
        case "cosine": return (CosineAnnealingLR(optimizer, tMax: Swift.max(epochs, 1)), nil)
        case "warmup": return (LinearWarmup(optimizer, startFactor: 0.1, endFactor: 1, totalIters: warmupEpochs), nil)
        case "plateau": return (nil, ReduceLROnPlateau(optimizer, factor: lrGamma, patience: plateauPatience))
        default:
            throw ConfigurationError("--lr-schedule \(lrSchedule): unknown; use one of none, step, exponential, cosine, warmup, plateau")
        }
    }

    /// The activation by name, ignoring case, `-` and `_` as model specs do.
    public func resolvedActivation() throws -> Activation {
        guard let a = Activation.named(activation) else {
            throw ConfigurationError("unknown activation \"\(activation)\"; use \(Activation.choices)")
        }
        return a
    }
}

extension Initializer {
    /// The initializers by command-line name.
    public static let names = ["xavier-uniform", "xavier-normal", "kaiming-uniform", "kaiming-normal", "normal", "uniform", "zeros"]

    /// Looks an initializer up by its command-line name.
    public static func named(_ name: String) throws -> Initializer {
        switch name.lowercased() {
        case "xavier-uniform", "glorot-uniform": return .xavierUniform
        case "xavier-normal", "glorot-normal": return .xavierNormal
        case "kaiming-uniform", "he-uniform": return .kaimingUniform
        case "kaiming-normal", "he-normal": return .kaimingNormal
        case "normal": return .normal(mean: 0, std: 0.01)
        case "uniform": return .uniform(low: -0.05, high: 0.05)
        case "zeros": return .zeros
        default: throw ConfigurationError("--init \(name): unknown; use one of \(names.joined(separator: ", "))")
        }
    }
}
