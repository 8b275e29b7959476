import NablaLibrary

/// The settings a preset trains with when the user gives none of them: optimizer, peak rate, batch
/// size, warm-up, schedule and label smoothing. Every preset's recipe is a row of `presets`, the one
/// place these defaults live; `RunConfiguration(model:)` starts from it and `nabla train` fills the
/// options left out from it. Spec files and data without a preset keep `Hyperparameters`' defaults.
///
/// ```swift
/// let config = RunConfiguration(model: "cnn")   // the cnn recipe: AdamW, batch 64, warm-up, cosine
/// TrainingRecipe.for(model: "cnn").summary       // "adamw lr 0.002, batch 64, warm-up 1 epoch, …"
/// ```
public struct TrainingRecipe: Sendable, Equatable {
    /// The optimizer (`OptimizerKind`).
    public var optimizer: OptimizerKind
    /// The peak learning rate, which warm-up rises to and the schedule decays from.
    public var learningRate: Double
    /// The optimizer's weight decay; `nil` takes its default (`Hyperparameters.weightDecay`).
    public var weightDecay: Double?
    /// Samples per batch.
    public var batchSize: Int
    /// One of `RunConfiguration.scheduleNames`, stepped per optimizer step.
    public var lrSchedule: String
    /// Epochs of linear warm-up before the schedule, converted to steps; `nil` is none.
    public var warmupEpochs: Int?
    /// The floor the cosine schedule ends at; `nil` is `Hyperparameters.minLearningRate`'s default.
    public var minLearningRate: Double?
    /// Label smoothing of cross-entropy.
    public var labelSmoothing: Float
    /// The fraction of the training set held out for validation.
    public var validationSplit: Double

    /// The library's defaults (`Hyperparameters`): Adam at its default rate, no schedule, no smoothing.
    public static let standard = TrainingRecipe(
        optimizer: .adam, learningRate: Hyperparameters.learningRate.defaultValue, weightDecay: nil,
        batchSize: Hyperparameters.batchSize.defaultValue, lrSchedule: "none", warmupEpochs: nil, minLearningRate: nil,
        labelSmoothing: Hyperparameters.labelSmoothing.defaultValue, validationSplit: Hyperparameters.validationSplit.defaultValue)

    /// Each classifier preset's recipe, tuned on Fashion-MNIST for 5 epochs (Benchmarks/RECIPES.md records
    /// every run). The `gpt` preset has none: a text run takes `standard` and the settings it is given.
    public static let presets: [ModelPreset: TrainingRecipe] = {
        // Holding out 5% rather than 10% leaves 57,000 Fashion-MNIST images to train on, and 3,000 to validate.
        let base = TrainingRecipe(
            optimizer: .adamw, learningRate: 2e-3, weightDecay: nil, batchSize: 64, lrSchedule: "cosine", warmupEpochs: 1,
            minLearningRate: 1e-5, labelSmoothing: 0.1, validationSplit: 0.05)
        var cnn = base, lstm = base
        cnn.batchSize = 32     // twice the steps: in 5 epochs the cnn underfits at 64 (seed mean 0.912 there)
        lstm.learningRate = 3e-3
        return [.linear: base, .mlp: base, .cnn: cnn, .resnet: base, .lstm: lstm]
    }()

    /// The recipe of `model`: a preset's by name (ignoring case), `standard` for a spec file.
    public static func `for`(model: String) -> TrainingRecipe {
        ModelPreset(rawValue: model.lowercased()).flatMap { presets[$0] } ?? standard
    }

    /// Sets the recipe's settings in `config`.
    public func apply(to config: inout RunConfiguration) {
        config.optimizer = optimizer.rawValue
        config.learningRate = learningRate
        config.weightDecay = weightDecay
        config.batchSize = String(batchSize)
        config.lrSchedule = lrSchedule
        config.warmupEpochs = warmupEpochs
        config.warmupSteps = nil
        config.minLearningRate = minLearningRate
        config.labelSmoothing = labelSmoothing
        config.validationSplit = validationSplit
    }

    /// One line in library names, e.g. `adamw lr 0.002, batch 64, warm-up 1 epoch, cosine to 1e-05, …`.
    public var summary: String {
        let decay = weightDecay.map { " (weight decay \($0))" } ?? ""
        let warmup = warmupEpochs.map { ", warm-up \($0) epoch\($0 == 1 ? "" : "s")" } ?? ""
        let schedule = lrSchedule == "cosine" ? "cosine to \(minLearningRate ?? Hyperparameters.minLearningRate.defaultValue)"
                                              : "schedule \(lrSchedule)"
        return "\(optimizer.rawValue) lr \(learningRate)\(decay), batch \(batchSize)\(warmup), \(schedule), "
            + "label smoothing \(labelSmoothing), validation split \(validationSplit)"
    }
}

extension RunConfiguration {
    /// The defaults for `model`: `Hyperparameters`' defaults with the model's `TrainingRecipe` on top.
    ///
    /// ```swift
    /// var config = RunConfiguration(model: "lstm")
    /// config.epochs = 5
    /// ```
    public init(model: String) {
        self.init()
        self.model = model
        TrainingRecipe.for(model: model).apply(to: &self)
    }
}
