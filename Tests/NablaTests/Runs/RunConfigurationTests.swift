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

    /// A resumed run continues the schedule exactly; given a new rate, the schedule scales the new
    /// base from the checkpoint's step on (per-step `step` schedule, 4 steps per epoch).
    @Test func resumedRunContinuesTheScheduleAndANewRateScalesIt() throws {
        var config = Self.small()
        config.optimizer = "sgd"
        config.learningRate = 0.3
        config.lrSchedule = "step"
        config.lrStepSize = 1
        config.lrGamma = 0.1   // 0.3·0.1ᵏ is not a Float32 number, so only the exact record resumes it
        config.epochs = 4
        let whole = TrainingRunTests.folder(), parts = TrainingRunTests.folder(), rescaled = TrainingRunTests.folder()
        defer { for url in [whole, parts, rescaled] { try? FileManager.default.removeItem(at: url) } }
        let straight = try TrainingRun(config)
        let expected = try straight.fit(outputDirectory: whole)
        let straightRates = straight.trainer.history.epochs.map(\.learningRate)
        for (epoch, rate) in straightRates.enumerated() { #expect(Swift.abs(rate - 0.3 * pow(0.1, Double(epoch))) <= 1e-17) }

        config.epochs = 2
        _ = try TrainingRun(config).fit(outputDirectory: parts)
        _ = try TrainingRun(config).fit(outputDirectory: rescaled)
        config.epochs = 4
        let resumed = try TrainingRun(config)
        let result = try resumed.fit(outputDirectory: parts, resume: true)
        #expect(resumed.trainer.history.epochs.map(\.learningRate) == straightRates)
        #expect(result.trainLoss == expected.trainLoss)

        config.learningRate = 0.05   // a new base: the schedule scales it from step 8 on
        let faster = try TrainingRun(config)
        _ = try faster.fit(outputDirectory: rescaled, resume: true)
        let rates = faster.trainer.history.epochs.map(\.learningRate)
        #expect(Array(rates[..<2]) == Array(straightRates[..<2]))
        for epoch in 2..<4 { #expect(Swift.abs(rates[epoch] - straightRates[epoch] * 0.05 / 0.3) <= 1e-17, "epoch \(epoch + 1)") }
    }
}
