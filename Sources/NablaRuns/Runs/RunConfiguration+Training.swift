import NablaLibrary
import NablaCore
import NablaBackend

extension RunConfiguration {
    /// The learning-rate schedules `lrSchedule` accepts. Every one but `plateau` is evaluated per
    /// optimizer step (`StepSchedule`): `step` and `exponential` keep PyTorch's epoch semantics,
    /// `cosine` decays from the rate to `minLearningRate` over the run's steps, `warmup` rises
    /// linearly and then holds.
    public static let scheduleNames = ScheduleName.allCases.map(\.rawValue)

    /// The schedules `lrSchedule` can name.
    public enum ScheduleName: String, CaseIterable, Sendable {
        case none, step, exponential, cosine, warmup, plateau

        /// The schedule called `name`, ignoring case; `constant` is another name for `none`.
        public init?(name: String) {
            let lowered = name.lowercased()
            self.init(rawValue: lowered == "constant" ? ScheduleName.none.rawValue : lowered)
        }
    }

    /// The warm-up length in optimizer steps: `warmupSteps`, or `warmupEpochs` converted with the
    /// steps per epoch; the `warmup` schedule defaults to `Hyperparameters.warmupEpochs` epochs.
    public func resolvedWarmupSteps(stepsPerEpoch: Int) throws -> Int {
        if warmupSteps != nil, warmupEpochs != nil {
            throw ConfigurationError("\(setting: .warmupSteps) and \(setting: .warmupEpochs) both given; give the warm-up in one of them")
        }
        if let warmupSteps { return warmupSteps }
        let epochs = warmupEpochs ?? (ScheduleName(name: lrSchedule) == .warmup ? Hyperparameters.warmupEpochs.defaultValue : 0)
        return epochs * stepsPerEpoch
    }

    /// The learning-rate schedule by name: a per-step schedule, or a plateau scheduler stepped per
    /// epoch (or evaluation period). `stepsPerEpoch` converts epochs to steps; `totalSteps` is the
    /// run's length, which the cosine decay spans.
    public func makeSchedule(_ optimizer: Optimizer, stepsPerEpoch: Int, totalSteps: Int) throws -> (StepSchedule?, ReduceLROnPlateau?) {
        let warmup = try resolvedWarmupSteps(stepsPerEpoch: stepsPerEpoch)
        func steps(_ decay: StepSchedule.Decay) -> StepSchedule {
            StepSchedule(decay: decay, warmupSteps: warmup, stepsPerEpoch: Swift.max(stepsPerEpoch, 1), totalSteps: Swift.max(totalSteps, 1))
        }
        guard let name = ScheduleName(name: lrSchedule) else {
            throw ConfigurationError("\(setting: .lrSchedule) \(lrSchedule): unknown; use one of \(Self.scheduleNames.joined(separator: ", "))")
        }
        switch name {
        case .none, .warmup: return (warmup > 0 ? steps(.constant) : nil, nil)
        case .step: return (steps(.step(everyEpochs: lrStepSize, gamma: lrGamma)), nil)
        case .exponential: return (steps(.exponential(gamma: lrGamma)), nil)
        case .cosine: return (steps(.cosine(minLearningRate: minLearningRate ?? Hyperparameters.minLearningRate.defaultValue)), nil)
        case .plateau:
            guard warmup == 0 else {
                throw ConfigurationError("\(setting: .lrSchedule) plateau has no warm-up; leave out \(setting: .warmupSteps) and \(setting: .warmupEpochs)")
            }
            return (nil, ReduceLROnPlateau(optimizer, factor: lrGamma, patience: plateauPatience))
        }
    }

    /// The run's total optimizer steps: `maxSteps`, or the epochs (periods) times their steps.
    public func totalSteps(stepsPerEpoch: Int) -> Int {
        let planned = epochs * (evalEvery ?? stepsPerEpoch)
        return Swift.min(maxSteps ?? planned, planned)
    }

    /// The settings of `OptimizerSettings` that `optimizerSettings()` does not set itself.
    func addOptimizerOptions(to settings: inout OptimizerSettings) throws {
        settings.amsgrad = amsgrad
        settings.dampening = dampening
        settings.rmspropAlpha = rmspropAlpha
        settings.weightDecayScope = try weightDecayParameters.map(WeightDecayScope.named)
            ?? (model.lowercased() == "gpt" ? .matrices : .all)
    }

    /// The cross-entropy class weights as a tensor, checked against the number of classes.
    public func classWeightTensor(classes: Int) throws -> Tensor? {
        guard let classWeights else { return nil }
        guard classWeights.count == classes else {
            throw ConfigurationError("\(setting: .classWeights): \(classWeights.count) weights for \(classes) classes; give one per class")
        }
        for weight in classWeights { try Hyperparameters.classWeight.validate(weight) }
        guard classWeights.contains(where: { $0 > 0 }) else {
            throw ConfigurationError("\(setting: .classWeights): every weight is 0; give at least one class a positive weight")
        }
        return Tensor(shape: [classes], scalars: classWeights.map { Float($0) })
    }

    /// Checks the settings of schedules, accumulation and evaluation periods.
    func validateTraining() throws {
        try Hyperparameters.warmupSteps.validate(warmupSteps)
        if let warmupEpochs { try Hyperparameters.warmupEpochs.validate(warmupEpochs) }
        if let minLearningRate { try Hyperparameters.minLearningRate.validate(minLearningRate) }
        if let accumulationSteps { try Hyperparameters.accumulationSteps.validate(accumulationSteps) }
        try Hyperparameters.evalEvery.validate(evalEvery)
        try Hyperparameters.rotation.validate(rotation)
        for weight in classWeights ?? [] { try Hyperparameters.classWeight.validate(weight) }
        _ = try resolvedWarmupSteps(stepsPerEpoch: 1)
        if let evalEvery, let maxSteps, maxSteps > epochs * evalEvery {
            throw ConfigurationError("""
                \(setting: .maxSteps) \(maxSteps) is never reached: \(setting: .epochs) counts periods of \(setting: .evalEvery) \(evalEvery) \
                steps, \(epochs * evalEvery) in all; raise \(setting: .epochs) to \((maxSteps + evalEvery - 1) / evalEvery)
                """)
        }
    }
}
