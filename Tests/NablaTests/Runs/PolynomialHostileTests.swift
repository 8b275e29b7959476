import Foundation
import Testing
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// The expansion a run folder's `model.json` records is checked like every other field.
@Suite struct PolynomialHostileTests {
    static func trained() throws -> URL {
        var config = RunFolder.config()
        config.polyFeatures = 2
        return try RunFolder.trained(epochs: 1, config)
    }

    @Test func degreeThatDoesNotGiveTheInputShape() throws {
        let folder = try Self.trained()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try TrainedModel.load(from: folder).info.polynomial?.outputFeatures == 5)
        try RunFolder.edit(ModelInfo.file, field: "degree", to: "99", in: folder)
        let text = RunFolder.message { _ = try TrainedModel.load(from: folder) }
        #expect(text?.contains("model.json: polynomial: degree 99 of 2 features does not give inputShape [5]") == true, "\(text ?? "accepted")")
    }

    @Test func featureCountBeyondCountingIsRefusedNotTrapped() throws {
        let folder = try Self.trained()
        defer { try? FileManager.default.removeItem(at: folder) }
        try RunFolder.edit(ModelInfo.file, field: "inputFeatures", to: "\(1 << 40)", in: folder)
        let text = RunFolder.message { _ = try TrainedModel.load(from: folder) }
        #expect(text?.contains("model.json: cannot be read") == true, "\(text ?? "accepted")")
    }
}
