import ArgumentParser
import Foundation
import Nabla

/// The options of `train` for the training loop's schedules, parameter groups, accumulation and
/// evaluation periods, and the optimizer and data settings that came with them; part of `TrainOptions`.
struct TrainingLoopOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: recipeHelp(Hyperparameters.warmupSteps.help)) var warmupSteps: Int?
    @Option(parsing: .unconditional, help: recipeHelp(Hyperparameters.minLearningRate.help, otherwise: "\(Hyperparameters.minLearningRate.defaultValue)")) var minLr: Double?
    @Option(help: "Which parameters weight decay applies to: all, or matrices (rank ≥ 2: no decay on biases and norms, as nanoGPT) (default: matrices for gpt, all otherwise).")
    var weightDecayParams: String?
    @Flag(help: "AMSGrad for adam and adamw.") var amsgrad = false
    @Option(parsing: .unconditional, help: "\(Hyperparameters.dampening.help.abstract) (default: 0)") var dampening: Double?
    @Option(parsing: .unconditional, help: "\(Hyperparameters.rmspropAlpha.help.abstract) (default: 0.99)") var rmspropAlpha: Double?
    @Option(parsing: .unconditional, help: Hyperparameters.classWeight.help) var classWeights: String?
    @Option(parsing: .unconditional, help: "\(Hyperparameters.accumulationSteps.help.abstract) (default: 1)") var accumulate: Int?
    @Option(parsing: .unconditional, help: Hyperparameters.evalEvery.help) var evalEvery: Int?
    @Option(parsing: .unconditional, help: Hyperparameters.rotation.help) var rotate: Double?

    /// Sets these options' settings in `config`; an option left out leaves the setting as it is
    /// (the recipe's warm-up and floor, or unset). Warm-up in steps replaces warm-up in epochs.
    func apply(to config: inout RunConfiguration) throws {
        if let warmupSteps { (config.warmupSteps, config.warmupEpochs) = (warmupSteps, nil) }
        if let minLr { config.minLearningRate = minLr }
        config.weightDecayParameters = weightDecayParams
        config.amsgrad = amsgrad ? true : nil
        config.dampening = dampening
        config.rmspropAlpha = rmspropAlpha
        config.classWeights = try classWeights.map(Self.parseWeights)
        config.accumulationSteps = accumulate
        config.evalEvery = evalEvery
        config.rotation = rotate
    }

    static func parseWeights(_ text: String) throws -> [Double] {
        let weights = text.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !weights.isEmpty, weights.allSatisfy({ $0?.isFinite == true }) else {
            throw ValidationError("--class-weights \(text): expected one number per class, separated by commas, e.g. 1,2,1")
        }
        return weights.map { $0! }
    }
}
