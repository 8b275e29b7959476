import Foundation
import Testing
@testable import NablaCommandLine
import Nabla

/// What the README promises about folders, threads and images, checked against the program.
@Suite struct ReadmeGapTests {
    static let readme: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return (try? String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)) ?? ""
    }()

    @Test func helpReadmeAndSearchAgreeOnTheDataFolders() {
        #expect(Train.helpMessage(columns: 1000).contains("(default: \(DataSource.defaultFolders))"))
        #expect(Self.readme.contains("Nabla looks in \(DataSource.defaultFolders)"))
        guard ProcessInfo.processInfo.environment["XDG_CACHE_HOME"] == nil else { return }
        #expect(DataSource.fashionMNIST.searchDirectories(nil)
                == ["/usr/share/datasets/fashion-mnist", NSHomeDirectory() + "/.cache/nabla/fashion-mnist"])
        #expect(DataSource.mnist.searchDirectories(nil) == ["/usr/share/datasets/mnist", NSHomeDirectory() + "/.cache/nabla/mnist"])
    }

    @Test func runFolderListAndInfoAreDocumented() throws {
        #expect(Self.readme.contains("metrics.csv  result.json  report.html"))
        let info = try ChildProcess.run(["info"])
        let lines = info.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("threads: ") && $0.hasSuffix("(Nabla's thread pool, one per core)") }, "\(lines)")
        #expect(lines.contains("threads per large matrix product: \(BLAS.threadCount) (\(BLAS.threadCountMeaning))"), "\(lines)")
        #expect(Self.readme.contains("the threads one large matrix product uses"))
    }

    /// The probabilities of `predict --json`'s one row.
    static func outputs(_ json: String) -> [Double] {
        let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        return ((object?["outputs"] as? [[Double]])?.first) ?? []
    }

    /// A model trained on (a few) MNIST-format images predicts the same for a light-on-dark PGM and
    /// for its inverse, which it inverts with a note.
    @Test func predictInvertsDarkOnLightImages() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nabla-invert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try SmallData.writeMNIST(to: directory)
        let out = directory.appendingPathComponent("run").path
        let train = try ChildProcess.run(["train", "--data", "mnist", "--data-dir", directory.path, "--model", "linear",
                                          "--epochs", "1", "--out", out])
        #expect(train.exitStatus == 0, "\(train.standardError)")
        var pixels = [UInt8](repeating: 5, count: 784)
        for row in 6..<22 { for column in 10..<18 { pixels[row * 28 + column] = UInt8(150 + row * 4) } }
        let dark = directory.appendingPathComponent("dark.pgm"), light = directory.appendingPathComponent("light.pgm")
        try (Data("P5\n28 28\n255\n".utf8) + Data(pixels)).write(to: dark)
        try (Data("P5\n28 28\n255\n".utf8) + Data(pixels.map { 255 - $0 })).write(to: light)
        let plain = try ChildProcess.run(["predict", "--checkpoint", out, "--input", dark.path, "--json"])
        let scanned = try ChildProcess.run(["predict", "--checkpoint", out, "--input", light.path, "--json"])
        #expect(plain.exitStatus == 0 && scanned.exitStatus == 0 && plain.standardError.isEmpty)
        let (a, b) = (Self.outputs(plain.standardOutput), Self.outputs(scanned.standardOutput))
        #expect(a.count == 10 && b.count == 10 && zip(a, b).allSatisfy { abs($0 - $1) < 1e-5 }, "\(a) vs \(b)")
        #expect(scanned.standardError.hasPrefix("note: \(light.path) is dark on a light background (border mean 0.98); inverted it"),
                "\(scanned.standardError)")
    }
}
