import Foundation
import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

@Suite struct RunConfigurationTests {
    static func small() -> RunConfiguration {
        var config = RunConfiguration()
        config.data = "xor"
        config.syntheticCount = 200
        config.hidden = [8]
        config.batchSize = "50"
        return config
    }

    static func message(_ change: (inout RunConfiguration) -> Void) -> String? {
        var config = small()
        change(&config)
        do { try config.validate() } catch { return "\(error)" }
        return nil
    }

    @Test func eachSettingHasOneRuleInLibraryWords() {
        #expect(Self.message { $0.learningRate = -1 } == "learningRate -1.0: must be zero or positive")
        #expect(Self.message { $0.learningRate = 0 } == nil)   // as Optimizer.init allows (PyTorch's rule)
        #expect(Self.message { $0.dropout = 1.5 } == "dropout 1.5: must be in [0, 1)")
        #expect(Self.message { $0.lrGamma = 1 } == "lrGamma 1.0: must be in (0, 1)")
        #expect(Self.message { $0.l1 = -1 } == "l1 -1.0: must be zero or positive")
        #expect(Self.message { $0.validationSplit = 1 } == "validationSplit 1.0: must be in [0, 1)")
        #expect(Self.message { $0.epochs = 0 } == "epochs 0: must be at least 1")
        #expect(Self.message { $0.beta2 = 1 } == "beta2 1.0: must be in [0, 1)")
        #expect(Self.message { $0.optimizer = "nesterov"; $0.momentum = 0 } == "momentum 0: nesterov needs a momentum above 0")
        #expect(Self.message { $0.batchSize = "0" } == "batchSize 0: expected a positive number of samples or \"all\"")
    }

    @Test func unsetOptimizerSettingsTakeTheOptimizersDefaults() throws {
        var config = Self.small()
        #expect(config.learningRate == nil)
        #expect(try config.optimizerSettings().resolvedLearningRate == 1e-3)
        config.optimizer = "rmsprop"
        #expect(try config.optimizerSettings().resolvedLearningRate == 1e-2)
        config.optimizer = "adamw"
        config.weightDecay = 0
        #expect((try config.makeOptimizer([Parameter(Tensor([1]))]) as? AdamW)?.weightDecay == 0)
        config.optimizer = "sgd"
        config.momentum = 0.5
        #expect((try config.makeOptimizer([Parameter(Tensor([1]))]) as? SGD)?.momentum == 0.5)
    }

    @Test func resumedRunContinuesWithTheCheckpointsLearningRate() throws {
        var config = Self.small()
        config.optimizer = "sgd"
        config.learningRate = 0.3
        config.lrSchedule = "step"
        config.lrStepSize = 1
        config.lrGamma = 0.1   // 0.3·0.1ᵏ is not a Float32 number, so only the exact record resumes it
        config.epochs = 4
        let whole = TrainingRunTests.folder(), parts = TrainingRunTests.folder()
        defer { for url in [whole, parts] { try? FileManager.default.removeItem(at: url) } }
        let straight = try TrainingRun(config)
        let expected = try straight.fit(outputDirectory: whole)

        config.epochs = 2
        _ = try TrainingRun(config).fit(outputDirectory: parts)
        config.epochs = 4
        config.learningRate = 0.05   // a starting rate; the resumed run keeps the checkpoint's
        let resumed = try TrainingRun(config)
        let result = try resumed.fit(outputDirectory: parts, resume: true)

        let rates = resumed.trainer.history.epochs.map(\.learningRate)
        #expect(rates == straight.trainer.history.epochs.map(\.learningRate))
        #expect(rates[2] == 0.3 * 0.1 * 0.1)
        #expect(resumed.trainer.optimizer.learningRate == straight.trainer.optimizer.learningRate)
        #expect(result.trainLoss == expected.trainLoss)
    }
}
