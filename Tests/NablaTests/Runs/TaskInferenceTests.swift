import Foundation
import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// Whether a CSV's labels are classes or regression targets: conservative by default, and the
/// user's word when given.
@Suite struct TaskInferenceTests {
    private func load(labels: [String], task: Task? = nil) throws -> LoadedData {
        let folder = try IOTempDirectory()
        let url = folder.file("data.csv")
        let rows = labels.enumerated().map { "\(Double($0.offset) * 0.5),\($0.element)" }
        try ("x,label\n" + rows.joined(separator: "\n")).write(to: url, atomically: true, encoding: .utf8)
        return try DataSource.csv(path: url.path).load(options: DataOptions(task: task))
    }

    @Test func integerTargetsWithManyValuesAreRegression() throws {
        // diabetes-like: whole-number targets 25…346 are measurements, not 322 classes.
        let data = try load(labels: (0..<400).map { String(25 + ($0 * 7) % 322) })
        #expect(data.task == .regression && data.outputs == 1)
    }

    @Test func smallClassIndicesAreClassification() throws {
        let data = try load(labels: (0..<100).map { String($0 % 3) })
        #expect(data.task == .classification && data.outputs == 3)
    }

    @Test func aMissingClassMakesItRegression() throws {
        let data = try load(labels: (0..<100).map { $0 % 2 == 0 ? "0" : "2" })
        #expect(data.task == .regression)
    }

    @Test func plusMinusOneLabelsAreTwoClasses() throws {
        let data = try load(labels: (0..<100).map { $0 % 2 == 0 ? "-1" : "1" })
        #expect(data.task == .classification && data.outputs == 2 && data.classNames == ["-1", "+1"])
        let targets = data.train.batch(0..<4).targets.scalars
        #expect(targets == [0, 1, 0, 1])
    }

    @Test func tooManyClassesForTheRowsIsRegression() throws {
        // 20 classes need at least 200 rows (10 per class on average).
        let data = try load(labels: (0..<100).map { String($0 % 20) })
        #expect(data.task == .regression)
    }

    @Test func theUserCanSayWhichTask() throws {
        #expect(try load(labels: (0..<100).map { String($0 % 3) }, task: .regression).task == .regression)
        #expect(try load(labels: (0..<100).map { String($0 % 20) }, task: .classification).outputs == 20)
        #expect(throws: DataError.self) { _ = try load(labels: (0..<10).map { "\(Double($0) + 0.5)" }, task: .classification) }
    }
}

@Suite struct TestDataTests {
    @Test func aCSVRunCanHaveARealTestSplit() throws {
        let folder = try IOTempDirectory()
        func write(_ name: String, _ rows: Range<Int>) throws -> String {
            let url = folder.file(name)
            let lines = rows.map { "\(Double($0) * 0.1),\(Double($0 % 5) * 0.01 - 0.2),\($0 % 2)" }
            try ("a,b,label\n" + lines.joined(separator: "\n")).write(to: url, atomically: true, encoding: .utf8)
            return url.path
        }
        var config = RunConfiguration()
        config.data = "csv:" + (try write("train.csv", 0..<60))
        config.testData = "csv:" + (try write("test.csv", 60..<80))
        config.model = "linear"
        config.standardize = true
        config.epochs = 1
        let run = try TrainingRun(config)
        #expect(run.data.test?.count == 20)
        let result = try run.fit(outputDirectory: folder.file("run"))
        #expect(result.testAccuracy != nil && result.testLoss != nil)
        config.testData = "moons"
        #expect(throws: ConfigurationError.self) { _ = try TrainingRun(config) }
    }
}
