import Foundation
import Testing
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// Each preset's recipe is one row of `TrainingRecipe.presets`, and `RunConfiguration(model:)` starts from it.
@Suite struct TrainingRecipeTests {
    /// The image and sequence classifiers' recipes were tuned on Fashion-MNIST; the gpt preset trains on
    /// text with the library's defaults and the settings its run gives (Benchmarks/README.md's recipe).
    @Test func everyPresetHasARecipe() {
        #expect(Set(TrainingRecipe.presets.keys) == Set(ModelPreset.allCases).subtracting([.gpt]))
        #expect(TrainingRecipe.for(model: "gpt") == .standard)
        #expect(TrainingRecipe.for(model: "CNN") == TrainingRecipe.presets[.cnn])
        #expect(TrainingRecipe.for(model: "model.yaml") == .standard)
    }

    @Test func theStandardRecipeIsTheHyperparameterDefaults() {
        var plain = RunConfiguration()
        TrainingRecipe.standard.apply(to: &plain)
        var expected = RunConfiguration()
        expected.learningRate = Hyperparameters.learningRate.defaultValue
        #expect(plain == expected)
        #expect(RunConfiguration(model: "spec.json").differences(from: RunConfiguration()) == ["learningRate", "model"])
    }

    @Test func aConfigurationForAPresetCarriesItsRecipe() throws {
        let config = RunConfiguration(model: "mlp")
        #expect(config.optimizer == "adamw" && config.learningRate == 2e-3 && config.batchSize == "64")
        #expect(config.lrSchedule == "cosine" && config.warmupEpochs == 1 && config.minLearningRate == 1e-5)
        #expect(config.labelSmoothing == 0.1 && config.validationSplit == 0.05)
        try config.validate()
        // One epoch of warm-up on 1,000 steps per epoch, then cosine over the remaining 4,000.
        let optimizer = try config.makeOptimizer([Parameter(Tensor([1]))])
        let (schedule, plateau) = try config.makeSchedule(optimizer, stepsPerEpoch: 1000, totalSteps: 5000)
        #expect(plateau == nil)
        #expect(schedule == StepSchedule(decay: .cosine(minLearningRate: 1e-5), warmupSteps: 1000, stepsPerEpoch: 1000, totalSteps: 5000))
        #expect(TrainingRecipe.presets[.mlp]!.summary
                == "adamw lr 0.002, batch 64, warm-up 1 epoch, cosine to 1e-05, label smoothing 0.1, validation split 0.05")
    }
}
