import Foundation
import Testing
@testable import NablaCommandLine
import Nabla

/// `nabla train` with no tuning options trains each preset with its recipe, as the README's results
/// table and `nabla train --help` say; an option given replaces the recipe's setting.
@Suite struct RecipeDefaultTests {
    /// The settings `--model NAME` alone resolves to, in the README's words.
    static func resolved(_ name: String, _ arguments: [String] = []) throws -> RunConfiguration {
        try TrainOptions.parse(["--model", name] + arguments).configuration()
    }

    @Test(arguments: ["mlp", "cnn", "lstm", "resnet", "linear"])
    func eachPresetResolvesToItsRecipe(name: String) throws {
        let c = try Self.resolved(name)
        let expected: (lr: Double, batch: String) = name == "lstm" ? (3e-3, "64") : name == "cnn" ? (2e-3, "32") : (2e-3, "64")
        #expect(c.optimizer == "adamw" && c.learningRate == expected.lr && c.weightDecay == nil)
        #expect(c.batchSize == expected.batch && c.lrSchedule == "cosine" && c.warmupEpochs == 1 && c.warmupSteps == nil)
        #expect(c.minLearningRate == 1e-5 && c.labelSmoothing == 0.1 && c.validationSplit == 0.05)
        #expect(Hyperparameters.weightDecay.defaultValue(for: .adamw) == 1e-2)   // what weightDecay nil gives adamw
    }

    @Test func aSpecFileKeepsThePlainDefaults() throws {
        let c = try Self.resolved("model.yaml")
        #expect(c.optimizer == "adam" && c.learningRate == 1e-3 && c.batchSize == "128" && c.lrSchedule == "none")
        #expect(c.warmupEpochs == nil && c.minLearningRate == nil && c.labelSmoothing == 0 && c.validationSplit == 0.1)
    }

    @Test func optionsGivenReplaceTheRecipe() throws {
        let c = try Self.resolved("cnn", ["--batch-size", "128", "--lr", "0.01", "--label-smoothing", "0", "--val-split", "0", "--min-lr", "0"])
        #expect(c.batchSize == "128" && c.learningRate == 0.01 && c.labelSmoothing == 0 && c.validationSplit == 0 && c.minLearningRate == 0)
        #expect(c.optimizer == "adamw" && c.lrSchedule == "cosine" && c.warmupEpochs == 1)
        // Another optimizer starts from its own rate and decay; another schedule without the recipe's warm-up and floor.
        let sgd = try Self.resolved("cnn", ["--optimizer", "sgd", "--lr-schedule", "plateau"])
        #expect(sgd.learningRate == nil && sgd.weightDecay == nil && sgd.warmupEpochs == nil && sgd.minLearningRate == nil)
        #expect(try sgd.optimizerSettings().resolvedLearningRate == 1e-3)
        // Warm-up in steps replaces the recipe's epochs; both given is still an error.
        #expect(try Self.resolved("mlp", ["--warmup-steps", "100"]).warmupEpochs == nil)
        let both = try Self.resolved("mlp", ["--warmup-steps", "100", "--warmup-epochs", "2"])
        #expect(throws: (any Error).self) { try both.validate() }
    }

    @Test func helpListsEachPresetsRecipe() {
        let help = Train.helpMessage(columns: 1000)
        #expect(help.contains("  mlp: --optimizer adamw --lr 0.002 --batch-size 64 --warmup-epochs 1 --lr-schedule cosine --min-lr 1e-05 --label-smoothing 0.1 --val-split 0.05"))
        #expect(help.contains("  cnn: --optimizer adamw --lr 0.002 --batch-size 32 --warmup-epochs 1"))
        #expect(help.contains("  lstm: --optimizer adamw --lr 0.003 --batch-size 64"))
        #expect(help.contains("(default: the preset's recipe, listed below; otherwise 128)"))
    }

    @Test func theBenchWorkloadTrainsAsNablaTrainDoes() throws {
        // fmnist_mlp_5ep_s times `nabla train --data fashion-mnist --model mlp --epochs 5` at the preset's recipe,
        // which torch_reference.py runs for its side.
        var workload = TrainingWorkloads.fashionConfiguration(epochs: 5)
        // The command line writes the gpt preset's sizes out; nil, the library's way, means the same defaults.
        #expect(workload.layers == nil && workload.heads == nil && workload.embed == nil && workload.blockSize == nil)
        (workload.layers, workload.heads, workload.embed, workload.blockSize) = (Hyperparameters.layers.defaultValue,
            Hyperparameters.heads.defaultValue, Hyperparameters.embed.defaultValue, Hyperparameters.blockSize.defaultValue)
        let command = try Self.resolved("mlp", ["--data", "fashion-mnist", "--epochs", "5"])
        #expect(workload.differences(from: command).isEmpty, "\(workload.differences(from: command))")
        #expect(workload.optimizer == "adamw" && workload.batchSize == "64" && workload.lrSchedule == "cosine" && workload.labelSmoothing == 0.1)
    }
}
