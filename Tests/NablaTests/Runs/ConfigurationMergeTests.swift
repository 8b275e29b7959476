import Foundation
import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// A resumed run takes its configuration from its folder; a saved configuration can be reused.
@Suite struct ConfigurationMergeTests {
    private var saved: RunConfiguration {
        var c = RunConfiguration()
        c.data = "csv:iris.csv"
        c.standardize = true
        c.epochs = 5
        c.learningRate = 0.01
        return c
    }

    @Test func resumingKeepsTheRunsSettingsThatWereNotGivenAgain() throws {
        // The command line's defaults (no --standardize) must not drop the run's standardisation.
        let baseline = RunConfiguration()
        var requested = baseline
        requested.epochs = 10
        let config = try RunConfiguration.resuming(saved, requested: requested, baseline: baseline)
        #expect(config.standardize && config.data == "csv:iris.csv" && config.epochs == 10 && config.learningRate == 0.01)
    }

    @Test func resumingMayChangeTheLearningRateAndMaxSteps() throws {
        var requested = RunConfiguration()
        requested.learningRate = 0.002
        requested.maxSteps = 40
        let config = try RunConfiguration.resuming(saved, requested: requested, baseline: RunConfiguration())
        #expect(config.learningRate == 0.002 && config.maxSteps == 40 && config.standardize)
    }

    @Test func resumingWithAnotherValueOfAnotherSettingIsAnError() {
        var requested = RunConfiguration()
        requested.optimizer = "sgd"
        #expect { try RunConfiguration.resuming(saved, requested: requested, baseline: RunConfiguration()) } throws: {
            String(describing: $0).hasPrefix("optimizer \"sgd\" differs from the run's own (\"adam\")")
        }
        // Giving the run's own value again is fine.
        var same = RunConfiguration()
        same.data = "csv:iris.csv"
        #expect(throws: Never.self) { try RunConfiguration.resuming(saved, requested: same, baseline: RunConfiguration()) }
    }

    @Test func aSavedConfigurationIsReusedWithExplicitChanges() throws {
        let folder = try IOTempDirectory()
        let url = folder.file("config.json")
        try JSONEncoder().encode(saved).write(to: url)
        var requested = RunConfiguration()
        requested.seed = 3
        let config = try RunConfiguration.load(contentsOf: url).applying(changesIn: requested, from: RunConfiguration())
        #expect(config.seed == 3 && config.standardize && config.data == "csv:iris.csv")
        try Data("{\"epochs\": \"five\"}".utf8).write(to: url)
        #expect(throws: ConfigurationError.self) { try RunConfiguration.load(contentsOf: url) }
    }
}

@Suite struct ConfigurationCompatibilityTests {
    /// A config.json written before the divergence settings existed still loads.
    @Test func aConfigurationSavedBeforeNewSettingsLoads() throws {
        var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(RunConfiguration())) as! [String: Any]
        object["divergenceFactor"] = nil
        object["divergenceSteps"] = nil
        let config = try JSONDecoder().decode(RunConfiguration.self, from: JSONSerialization.data(withJSONObject: object))
        #expect(config.divergenceFactor == nil && config.epochs == RunConfiguration().epochs)
    }
}
