import Foundation
import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns

/// Class labels written as text in a CSV file (`setosa`), as exported data sets often have them.
@Suite struct TextLabelTests {
    /// Three well-separated clusters, labelled by name; the rows cycle through `order`.
    static func irisLike(rows: Int, order: [String], seed: UInt64, header: Bool = true) -> String {
        let centers = ["setosa": (0.0, 0.0), "versicolor": (4.0, 0.0), "virginica": (2.0, 4.0)]
        var generator = Generator(seed: seed)
        let lines = (0..<rows).map { row -> String in
            let name = order[row % order.count], (x, y) = centers[name]!
            let (dx, dy) = (0.4 * generator.nextNormal(), 0.4 * generator.nextNormal())
            return "\(x + dx),\(y + dy)," + (row % 5 == 0 ? "\" \(name)\"" : name)
        }
        return (header ? "sepal,petal,species\n" : "") + lines.joined(separator: "\n") + "\n"
    }

    static func folder() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nabla-text-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func csvKeepsTheTextColumnAndDetectsTheHeaderWithoutIt() throws {
        let withHeader = try CSV.read(data: Data("a,b,species\n1,2,setosa\n3,4,\"virginica\"\n".utf8), name: "x.csv", textColumn: -1)
        #expect(withHeader.header == ["a", "b", "species"] && withHeader.rows == 2)
        #expect(withHeader.text == ["setosa", "virginica"] && withHeader.values == [1, 2, 0, 3, 4, 0])
        let headerless = try CSV.read(data: Data("1,setosa,2\n3,virginica,4\n".utf8), name: "x.csv", textColumn: 1)
        #expect(headerless.header == nil && headerless.rows == 2 && headerless.text == ["setosa", "virginica"])
        let numeric = try CSV.read(data: Data("a,label\n1,0\n2,1\n".utf8), name: "x.csv", textColumn: -1)
        #expect(numeric.text == nil && numeric.values == [1, 0, 2, 1])
        // Other columns stay numeric, and the label column's numbers stay finite.
        #expect(throws: FormatError.self) { try CSV.read(data: Data("1,2,a\nb,3,c\n".utf8), name: "x.csv", textColumn: -1) }
        #expect(throws: FormatError.self) { try CSV.read(data: Data("1,2,a\n2,3,nan\n".utf8), name: "x.csv", textColumn: -1) }
    }

    /// Training maps the sorted names to classes 0, 1, 2; the test file, holding two of the classes
    /// in another order, is mapped by the training file's names; the saved model keeps them.
    @Test func trainsEvaluatesAndPredictsWithNames() throws {
        let directory = Self.folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        let train = directory.appendingPathComponent("train.csv"), test = directory.appendingPathComponent("test.csv")
        try Self.irisLike(rows: 300, order: ["virginica", "setosa", "versicolor"], seed: 1).write(to: train, atomically: true, encoding: .utf8)
        try Self.irisLike(rows: 60, order: ["virginica", "versicolor"], seed: 2, header: false).write(to: test, atomically: true, encoding: .utf8)
        var config = RunConfiguration()
        (config.data, config.testData, config.model) = ("csv:" + train.path, "csv:" + test.path, "linear")
        (config.learningRate, config.batchSize, config.epochs) = (0.05, "32", 20)
        let run = try TrainingRun(config)
        #expect(run.data.task == .classification && run.data.classNames == ["setosa", "versicolor", "virginica"])
        #expect(run.data.train.batch([0, 1, 2]).targets.scalars == [2, 0, 1])
        #expect(run.data.test!.batch([0, 1]).targets.scalars == [2, 1])
        let result = try run.fit(outputDirectory: directory.appendingPathComponent("run"))
        #expect(result.testAccuracy! >= 0.95 && result.validationAccuracy! >= 0.95)

        let trained = try TrainedModel.load(from: directory.appendingPathComponent("run"))
        #expect(trained.info.classNames == ["setosa", "versicolor", "virginica"])
        let probabilities = trained.predict(Tensor(shape: [3, 2], scalars: [2, 4, 0, 0, 4, 0]))
        #expect(probabilities.argmax(axis: 1).scalars == [2, 0, 1])
        var options = DataOptions(task: .classification)
        options.classNames = trained.info.classNames
        let again = try DataSource.csv(path: test.path).load(options: options)
        #expect(again.outputs == 3 && again.train.batch([0, 1]).targets.scalars == [2, 1])
    }

    @Test func unknownNamesAndRegressionAreRefused() throws {
        let directory = Self.folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("x.csv")
        try "a,b,species\n1,2,setosa\n3,4,iris-x\n".write(to: file, atomically: true, encoding: .utf8)
        var options = DataOptions()
        options.classNames = ["setosa", "virginica"]
        #expect { try DataSource.csv(path: file.path).load(options: options) } throws: {
            "\($0)" == "\(file.path): row 2 has the label \"iris-x\", which is not one of the model's classes (setosa, virginica)"
        }
        #expect { try DataSource.csv(path: file.path).load(options: DataOptions(task: .regression)) } throws: {
            "\($0)" == "\(file.path): the label column holds text such as \"setosa\"; regression needs numbers"
        }
    }
}
