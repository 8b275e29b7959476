import Foundation
import Testing
import Nabla

/// `nabla train`, `eval` and `predict` on a CSV file whose labels are names.
@Suite struct TextLabelCommandTests {
    @Test func predictPrintsTheNameAndEvalListsTheClasses() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nabla-text-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let centers = [("setosa", 0.0, 0.0), ("versicolor", 4.0, 0.0), ("virginica", 2.0, 4.0)]
        let rows = (0..<240).map { i -> String in
            let (name, x, y) = centers[(i * 7) % 3]
            return "\(x + Double(i % 5) * 0.1),\(y - Double(i % 3) * 0.1),\(name)"
        }
        let data = directory.appendingPathComponent("flowers.csv"), points = directory.appendingPathComponent("points.csv")
        try ("x,y,species\n" + rows.joined(separator: "\n") + "\n").write(to: data, atomically: true, encoding: .utf8)
        try "0.1,0.1\n2,3.9\n".write(to: points, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("run").path
        let train = try ChildProcess.run(["train", "--data", "csv:" + data.path, "--model", "linear", "--lr", "0.05",
                                          "--batch-size", "32", "--epochs", "15", "--out", out])
        #expect(train.exitStatus == 0, "\(train.standardError)")
        let predict = try ChildProcess.run(["predict", "--checkpoint", out, "--input", points.path, "--top-k", "1"])
        let lines = predict.standardOutput.split(separator: "\n")
        #expect(lines.count == 2 && lines[0].hasPrefix("1: setosa ") && lines[1].hasPrefix("2: virginica "), "\(predict.standardOutput)")
        let eval = try ChildProcess.run(["eval", "--checkpoint", out])
        #expect(eval.exitStatus == 0 && eval.standardOutput.contains("versicolor"), "\(eval.standardOutput)\(eval.standardError)")
        #expect(eval.standardOutput.contains("accuracy 1.0000"), "\(eval.standardOutput)")
    }
}
