import Foundation
import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns

@Suite struct PolynomialRunTests {
    static func config(_ data: String, degree: Int?) -> RunConfiguration {
        var config = RunConfiguration()
        config.data = data
        config.syntheticCount = 600
        config.model = "linear"
        config.polyFeatures = degree
        config.standardize = true
        config.learningRate = 0.05
        config.batchSize = "32"
        config.epochs = 25
        config.validationSplit = 0.2
        return config
    }

    static func folder() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nabla-poly-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The curriculum's third remedy for under-fitting: a linear model cannot separate two
    /// concentric circles, and the same model on degree-2 features (x², xy, y²) can.
    @Test func linearModelLearnsCirclesOnlyWithQuadraticFeatures() throws {
        let plain = try TrainingRun(Self.config("circles", degree: nil))
        let plainAccuracy = try plain.trainer.fit().epochs.last!.validationAccuracy!
        let expanded = try TrainingRun(Self.config("circles", degree: 2))
        #expect(expanded.data.inputShape == [5] && expanded.model.parameterCount == 12)
        let expandedAccuracy = try expanded.trainer.fit().epochs.last!.validationAccuracy!
        #expect(plainAccuracy < 0.7, "a straight line should not separate circles (got \(plainAccuracy))")
        #expect(expandedAccuracy >= 0.97, "degree 2 should separate circles (got \(expandedAccuracy))")
    }

    /// CSV data end to end: the saved model carries the expansion, so a prediction from raw rows
    /// (two columns, as in the file) is expanded and standardized as in training.
    @Test func savedModelExpandsRawRowsWhenPredicting() throws {
        let directory = Self.folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        let moons = Synthetic.moons(count: 600, noise: 0.1, seed: 4)
        let (x, y) = moons.batch(Array(0..<600))
        let rows = (0..<600).map { "\(x.scalars[2 * $0]),\(x.scalars[2 * $0 + 1]),\(Int(y.scalars[$0]))" }
        let csv = directory.appendingPathComponent("moons.csv")
        try ("x,y,label\n" + rows.joined(separator: "\n") + "\n").write(to: csv, atomically: true, encoding: .utf8)
        var config = Self.config("csv:" + csv.path, degree: 3)
        config.epochs = 40
        let out = directory.appendingPathComponent("run")
        let result = try TrainingRun(config).fit(outputDirectory: out)
        #expect(result.validationAccuracy! >= 0.95)
        let trained = try TrainedModel.load(from: out)
        #expect(trained.info.polynomial == PolynomialFeatures(degree: 3, includeBias: false, inputFeatures: 2))
        #expect(trained.info.inputShape == [9] && trained.info.sampleShape == [2])
        let fresh = Synthetic.moons(count: 300, noise: 0.1, seed: 77).batch(Array(0..<300))
        try trained.validate(fresh.inputs, source: "fresh moons")
        let predicted = trained.predict(fresh.inputs).argmax(axis: 1).scalars
        let correct = zip(predicted, fresh.targets.scalars).filter { $0 == $1 }.count
        #expect(Double(correct) / 300 >= 0.95)
    }

    @Test func degreeIsBoundedAndExplosionsAreRefused() throws {
        for degree in [0, 11] {
            #expect(throws: ConfigurationError("\(setting: .polyFeatures) \(degree): must be in [1, 10]")) {
                try Self.config("circles", degree: degree).validate()
            }
        }
        let directory = Self.folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        let wide = directory.appendingPathComponent("wide.csv")
        let row = (0..<201).map { String($0 % 7) }.joined(separator: ",")
        try (Array(repeating: row, count: 20).joined(separator: "\n") + "\n").write(to: wide, atomically: true, encoding: .utf8)
        #expect { try TrainingRun(Self.config("csv:" + wide.path, degree: 4)) } throws: {
            "\($0)" == "polyFeatures 4: 200 features to degree 4 make 70058750 features per sample; the limit is 100000 features "
                + "and 268435456 numbers in all (20 samples); lower the degree or use fewer features"
        }
        #expect(throws: Never.self) { try TrainingRun.polynomialFeatures(degree: 2, inputs: 200, rows: 20) }
    }

    @Test func imagesAreRefused() throws {
        let directory = Self.folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        let x = directory.appendingPathComponent("x.npy"), y = directory.appendingPathComponent("y.npy")
        try NPY.write(Tensor(shape: [20, 2, 2], scalars: (0..<80).map(Float.init)), to: x)
        try NPY.write(Tensor(shape: [20], scalars: (0..<20).map { Float($0 % 2) }), to: y)
        #expect { try TrainingRun(Self.config("npy:\(x.path),\(y.path)", degree: 2)) } throws: {
            "\($0)".hasPrefix("polyFeatures 2: polynomial features need samples that are rows of features") && "\($0)".hasSuffix("[2, 2]")
        }
    }
}
