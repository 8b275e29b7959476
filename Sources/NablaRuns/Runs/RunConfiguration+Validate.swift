import NablaLibrary

extension RunConfiguration {
    /// Checks every numeric setting against its rule in `Hyperparameters`, and the names of the
    /// optimizer and the batch size, so that a bad value is reported before anything is loaded.
    ///
    /// ```swift
    /// var config = RunConfiguration()
    /// config.learningRate = -1
    /// try config.validate()   // ConfigurationError "learningRate -1.0: must be zero or positive"
    /// ```
    public func validate() throws {
        try validateDataAndModel()
        try validateTransformer()
        try validateObjective()
        try validateStopping()
        try validateTraining()
    }

    private func validateDataAndModel() throws {
        try Hyperparameters.validationSplit.validate(validationSplit)
        try Hyperparameters.syntheticCount.validate(syntheticCount)
        try Hyperparameters.polyFeatures.validate(polyFeatures)
        try Hyperparameters.dropout.validate(dropout)
        _ = try resolvedBatchSize()
        if let hidden {
            guard hidden.count <= Self.maxHiddenLayers else {
                throw ConfigurationError("\(setting: .hidden): \(hidden.count) layers, at most \(Self.maxHiddenLayers)")
            }
            for size in hidden where !Self.hiddenSizes.contains(size) {
                throw ConfigurationError("\(setting: .hidden) \(size): must be in [1, \(Self.hiddenSizes.upperBound)]")
            }
        }
    }

    /// The widths a preset's hidden layer may have.
    static let hiddenSizes = 1...65_536
    /// The most hidden layers a preset may have.
    static let maxHiddenLayers = 64

    private func validateObjective() throws {
        try Hyperparameters.labelSmoothing.validate(labelSmoothing)
        try Hyperparameters.huberDelta.validate(huberDelta)
        try optimizerSettings().validate()
        try Hyperparameters.lrStepSize.validate(lrStepSize)
        try Hyperparameters.lrGamma.validate(lrGamma)
        try Hyperparameters.plateauPatience.validate(plateauPatience)
        try Hyperparameters.l1.validate(l1)
        try Hyperparameters.l2.validate(l2)
        try Hyperparameters.clipNorm.validate(clipNorm)
        try Hyperparameters.clipValue.validate(clipValue)
    }

    private func validateStopping() throws {
        try Hyperparameters.epochs.validate(epochs)
        try Hyperparameters.maxSteps.validate(maxSteps)
        try Hyperparameters.earlyStopPatience.validate(earlyStopPatience)
        try Hyperparameters.minDelta.validate(minDelta)
        try Hyperparameters.gradientTolerance.validate(gradientTolerance)
        try Hyperparameters.lossTolerance.validate(lossTolerance)
        try Hyperparameters.explodingThreshold.validate(explodingThreshold)
        try Hyperparameters.topK.validate(topK)
        if let divergenceFactor { try Hyperparameters.divergenceFactor.validate(divergenceFactor) }
        if let divergenceSteps { try Hyperparameters.divergenceSteps.validate(divergenceSteps) }
    }
}
