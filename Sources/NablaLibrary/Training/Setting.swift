/// A setting of a training run, by its library name: the field of `RunConfiguration` (or the
/// argument of `TrainingRun.fit`) that holds it.
///
/// Errors name settings through `SettingText`, so each front end names them its own way: the
/// library says `learningRate`, the command line says `--lr`.
///
/// ```swift
/// throw ConfigurationError("\(setting: .learningRate) -1.0: must be zero or positive")
/// ```
public enum Setting: String, CaseIterable, Sendable {
    // Data
    case data, testData, dataDirectory, labelColumn, standardize, task, validationSplit, augment, syntheticCount
    case polyFeatures
    // Model
    case model, hidden, activation, dropout, batchNorm, syncBatchNorm, initializer, pretrained
    // Transformer (the gpt preset) and text windows
    case layers, heads, embed, blockSize
    // Objective and optimizer
    case loss, labelSmoothing, huberDelta, optimizer, learningRate, momentum, beta1, beta2, eps, weightDecay
    case lrSchedule, lrStepSize, lrGamma, warmupEpochs, plateauPatience, l1, l2, clipNorm, clipValue
    case warmupSteps, minLearningRate, weightDecayParameters, amsgrad, dampening, rmspropAlpha, classWeights
    case accumulationSteps, evalEvery, rotation
    // Schedule and stopping
    case batchSize, epochs, maxSteps, earlyStopPatience, minDelta, gradientTolerance, lossTolerance, explodingThreshold
    case divergenceFactor, divergenceSteps
    // Run
    case seed, topK, checkpointInterval
    /// The run folder `TrainingRun.fit(outputDirectory:resume:)` writes.
    case outputDirectory
    /// Whether `TrainingRun.fit(outputDirectory:resume:)` continues the run already in its folder.
    case resume
}

/// A configuration value the user must fix: names the setting, the value and what is accepted.
///
/// ```swift
/// throw ConfigurationError("\(setting: .epochs) 0: must be at least 1")
/// // description: "epochs 0: must be at least 1"
/// ```
public struct ConfigurationError: SettingNaming, Equatable {
    /// What is wrong, naming the setting.
    public var message: SettingText
    /// An error saying `message`.
    public init(_ message: SettingText) { self.message = message }
}
