/// The hyper-parameters of training, one row each: the default, the accepted values and a
/// description. Everything that takes one of these settings reads its default and its rule here.
/// A model preset trained by `nabla train` starts from its recipe instead (`TrainingRecipe` in
/// NablaRuns: optimizer, rate, batch size, schedule, smoothing, validation split); a spec file does not.
///
/// ```swift
/// var config = RunConfiguration()            // config.epochs == Hyperparameters.epochs.defaultValue
/// try Hyperparameters.validationSplit.validate(1.5)   // "validationSplit 1.5: must be in [0, 1)"
/// ```
public enum Hyperparameters {
    // Optimizer
    public static let learningRate = Hyperparameter<Double>(
        .learningRate, default: 1e-3, .nonNegative, "Learning rate: the size of each optimizer step (0 leaves the weights as they are).",
        optimizerDefaults: [.adagrad: 1e-2, .rmsprop: 1e-2])
    public static let momentum = Hyperparameter<Double>(
        .momentum, default: 0, .unitHalfOpen, "Momentum of the SGD optimizers (sgd, momentum, nesterov) and of rmsprop.",
        optimizerDefaults: [.momentum: 0.9, .nesterov: 0.9])
    public static let beta1 = Hyperparameter<Double>(.beta1, default: 0.9, .unitHalfOpen, "Adam's beta1: the decay of the mean gradient.")
    public static let beta2 = Hyperparameter<Double>(.beta2, default: 0.999, .unitHalfOpen, "Adam's beta2: the decay of the mean squared gradient.")
    public static let eps = Hyperparameter<Double>(
        .eps, default: 1e-8, .nonNegative, "The term added to denominators for numerical stability.", optimizerDefaults: [.adagrad: 1e-10])
    public static let weightDecay = Hyperparameter<Double>(
        .weightDecay, default: 0, .nonNegative, "Weight decay applied by the optimizer (decoupled in adamw).",
        optimizerDefaults: [.adamw: 1e-2])
    public static let dampening = Hyperparameter<Double>(
        .dampening, default: 0, .unitClosed, "SGD's dampening: the part of each gradient left out of the momentum buffer (0 with nesterov).")
    public static let rmspropAlpha = Hyperparameter<Double>(
        .rmspropAlpha, default: 0.99, .unitClosed, "RMSProp's alpha: the decay of the mean squared gradient.")

    // Learning-rate schedule
    public static let lrStepSize = Hyperparameter<Int>(.lrStepSize, default: 10, .atLeast(1), "Epochs between step decays.")
    public static let lrGamma = Hyperparameter<Double>(
        .lrGamma, default: 0.1, .unitOpen, "Decay factor of the step, exponential and plateau schedules.")
    public static let warmupEpochs = Hyperparameter<Int>(
        .warmupEpochs, default: 5, .atLeast(1),
        "Epochs of linear warm-up, converted to steps (the warmup schedule's default; others warm up only when given).")
    public static let warmupSteps = Hyperparameter<Int?>(
        .warmupSteps, default: nil, .nonNegative,
        "Optimizer steps of linear warm-up, lr·(step+1)/(warm-up+1), before the schedule (instead of \(setting: .warmupEpochs)).")
    public static let minLearningRate = Hyperparameter<Double>(
        .minLearningRate, default: 0, .nonNegative, "The floor the cosine schedule decays to at the last step.")
    public static let plateauPatience = Hyperparameter<Int>(
        .plateauPatience, default: 10, .nonNegative, "Epochs without improvement before the plateau schedule decays the rate.")

    // Objective and gradients
    public static let labelSmoothing = Hyperparameter<Float>(
        .labelSmoothing, default: 0, .unitClosed, "Label smoothing for cross-entropy.")
    public static let huberDelta = Hyperparameter<Float>(
        .huberDelta, default: 1, .positive, "Where the Huber and smooth-L1 losses turn from quadratic to linear.")
    public static let l1 = Hyperparameter<Double>(.l1, default: 0, .nonNegative, "L1 penalty λΣ|w| added to the loss.")
    public static let l2 = Hyperparameter<Double>(.l2, default: 0, .nonNegative, "L2 penalty λΣw² added to the loss.")
    public static let classWeight = Hyperparameter<Double>(
        .classWeights, default: 1, .nonNegative, "Cross-entropy weights, one per class, e.g. 1,2,1 (each zero or positive).")
    public static let accumulationSteps = Hyperparameter<Int>(
        .accumulationSteps, default: 1, .atLeast(1),
        "Micro-batches each batch is split into; their gradients add up to the whole batch's before one step.")
    public static let clipNorm = Hyperparameter<Double?>(.clipNorm, default: nil, .positive, "Clip the global gradient norm to this.")
    public static let clipValue = Hyperparameter<Double?>(
        .clipValue, default: nil, .nonNegative, "Clip every gradient element to ± this.")

    // Model and data
    public static let dropout = Hyperparameter<Float>(.dropout, default: 0, .unitHalfOpen, "Dropout probability in presets.")
    public static let validationSplit = Hyperparameter<Double>(
        .validationSplit, default: 0.1, .unitHalfOpen, "Fraction of the training set held out for validation.")
    public static let syntheticCount = Hyperparameter<Int>(
        .syntheticCount, default: 1000, .between(1, 10_000_000), "Samples in a synthetic data set.")
    public static let rotation = Hyperparameter<Double?>(
        .rotation, default: nil, .between(0, 180), "Rotate training images by a random angle in ± this many degrees.")
    public static let polyFeatures = Hyperparameter<Int?>(
        .polyFeatures, default: nil, .between(1, 10),
        "Add polynomial and interaction features of CSV/NPY (or point-set) data up to this degree, as scikit-learn's PolynomialFeatures.")
    public static let batchSize = Hyperparameter<Int>(
        .batchSize, default: 128, .atLeast(1), "Samples per batch: 1 is SGD, 'all' is batch gradient descent.")

    // Transformer (the gpt preset) and text windows
    public static let layers = Hyperparameter<Int>(.layers, default: 4, .between(1, 256), "Transformer blocks of the gpt preset.")
    public static let heads = Hyperparameter<Int>(
        .heads, default: 4, .between(1, 4096), "Attention heads per block of the gpt preset; they must divide \(setting: .embed).")
    public static let embed = Hyperparameter<Int>(.embed, default: 128, .between(1, 65_536), "Embedding width of the gpt preset.")
    public static let blockSize = Hyperparameter<Int>(
        .blockSize, default: 64, .between(1, 65_536), "Characters per window of text data: the gpt preset's context length.")

    // Stopping
    public static let epochs = Hyperparameter<Int>(.epochs, default: 5, .atLeast(1), "Total epochs.")
    public static let maxSteps = Hyperparameter<Int?>(.maxSteps, default: nil, .atLeast(1), "Stop after this many optimizer steps.")
    public static let evalEvery = Hyperparameter<Int?>(
        .evalEvery, default: nil, .atLeast(1),
        "Evaluate, record and checkpoint every this many optimizer steps instead of every epoch; \(setting: .epochs) then counts these periods.")
    public static let earlyStopPatience = Hyperparameter<Int?>(
        .earlyStopPatience, default: nil, .nonNegative,
        "Early stopping patience in epochs (needs \(setting: .validationSplit) above 0).")
    public static let minDelta = Hyperparameter<Double>(
        .minDelta, default: 0, .nonNegative, "Minimum improvement for early stopping.")
    public static let gradientTolerance = Hyperparameter<Double?>(
        .gradientTolerance, default: nil, .nonNegative, "Stop when the gradient norm falls below this.")
    public static let lossTolerance = Hyperparameter<Double?>(
        .lossTolerance, default: nil, .nonNegative, "Stop when the epoch loss changes by less than this.")
    public static let divergenceFactor = Hyperparameter<Double>(
        .divergenceFactor, default: 1e3, .positive,
        "Training stops as diverged when the step loss stays above this multiple of its best value.")
    public static let divergenceSteps = Hyperparameter<Int>(
        .divergenceSteps, default: 10, .atLeast(1), "Consecutive steps above the divergence factor that stop training.")
    public static let explodingThreshold = Hyperparameter<Double>(
        .explodingThreshold, default: 1e3, .above(GradientFlow.vanishingThreshold),
        "A layer whose mean gradient norm exceeds this is reported as exploding.")

    // Run
    public static let checkpointInterval = Hyperparameter<Int>(
        .checkpointInterval, default: 1, .atLeast(1), "Epochs between checkpoints (the last epoch is always saved).")
    public static let seed = Hyperparameter<UInt64>(.seed, default: 0, .any, "Random seed.")
    public static let topK = Hyperparameter<Int>(
        .topK, default: 5, .atLeast(1), "Validation top-k accuracy, for classification with more than k classes.")
}
