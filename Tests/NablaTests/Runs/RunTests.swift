import Foundation
import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

@Suite struct DataSourceTests {
    @Test func parsesEveryForm() throws {
        #expect(try DataSource.parse("fashion-mnist") == .fashionMNIST)
        #expect(try DataSource.parse("csv:data/x.csv") == .csv(path: "data/x.csv"))
        #expect(try DataSource.parse("npy:a.npy,b.npy") == .npy(inputs: "a.npy", targets: "b.npy"))
        #expect(try DataSource.parse("spirals") == .spirals)
        #expect(throws: DataError("\(setting: .data) npy:a.npy: npy needs two files, as npy:X_PATH,Y_PATH")) { try DataSource.parse("npy:a.npy") }
        #expect { try DataSource.parse("npy:a.npy") } throws: { "\($0)" == "data npy:a.npy: npy needs two files, as npy:X_PATH,Y_PATH" }
        #expect { try DataSource.parse("imagenet") } throws: { "\($0)".hasPrefix("data imagenet: unknown data set; use one of fashion-mnist") }
    }

    @Test func missingFolderSaysHowToGetTheData() {
        #expect {
            try DataSource.fashionMNIST.load(options: DataOptions(directory: "/nonexistent-folder"))
        } throws: { error in
            let text = "\(error)"
            return text.contains("cannot find train-images-idx3-ubyte") && text.contains("apt-get install dataset-fashion-mnist")
                && text.contains("pass it as dataDirectory")
        }
    }

    @Test func csvClassificationAndRegression() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nabla-csv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let classes = directory.appendingPathComponent("c.csv")
        try "a,b,label\n1,2,0\n3,4,1\n5,6,2\n".write(to: classes, atomically: true, encoding: .utf8)
        let c = try DataSource.csv(path: classes.path).load(options: DataOptions(standardize: true))
        #expect(c.task == .classification && c.outputs == 3 && c.inputShape == [2])
        let (x, _) = c.train.batch([0, 1, 2])
        #expect(Swift.abs(x.mean(axis: 0).scalars[0]) < 1e-6)
        let values = directory.appendingPathComponent("r.csv")
        try "x,y\n1,0.5\n2,1.5\n".write(to: values, atomically: true, encoding: .utf8)
        let r = try DataSource.csv(path: values.path).load()
        #expect(r.task == .regression && r.outputs == 1)
    }
}

@Suite struct TrainingRunTests {
    static func folder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("nabla-run-\(UUID().uuidString)")
    }

    @Test func writesTheRunFolderAndReloads() throws {
        var config = RunConfiguration()
        config.data = "xor"
        config.syntheticCount = 200
        config.model = "mlp"
        config.hidden = [16]
        config.learningRate = 0.02
        config.batchSize = "32"
        config.epochs = 8
        let out = Self.folder()
        defer { try? FileManager.default.removeItem(at: out) }
        let run = try TrainingRun(config)
        let result = try run.fit(outputDirectory: out)
        #expect(result.epochs == 8 && result.validationAccuracy! > 0.8)
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: out.path))
        #expect(files == ["checkpoint", "snapshots", ".lock", "model.safetensors", "metrics.csv", "result.json", "loss.svg", "accuracy.svg",
                          "confusion_matrix.svg", "gradient_flow.svg", "decision_boundary.svg", "report.html"])
        let checkpoint = Set(try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("checkpoint").path))
        #expect(checkpoint == ["model.safetensors", "optimizer.safetensors", "trainer.json", "config.json", "model.json", "manifest.json"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("snapshots").path).count == 1)
        let csv = try String(contentsOf: out.appendingPathComponent("metrics.csv"), encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 9)
        let html = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(!html.contains("https://") && html.contains("<svg"))

        let trained = try TrainedModel.load(from: out)
        let (x, y) = Synthetic.xor(count: 100, noise: 0.2, seed: 5).batch(Array(0..<100))
        let predicted = trained.predict(x).argmax(axis: 1)
        #expect(Float(zip(predicted.scalars, y.scalars).filter { $0 == $1 }.count) / 100 > 0.8)

        #expect { try run.prepareOutput(out, resume: false) } throws: {
            "\($0)" == "outputDirectory \(out.path) already holds a run; pass resume to continue it, or choose another outputDirectory"
        }
        config.epochs = 10
        let resumed = try TrainingRun(config).fit(outputDirectory: out, resume: true)
        #expect(resumed.epochs == 10)
    }

    @Test func problemsAreFoundBeforeAnythingIsWritten() throws {
        let out = Self.folder()
        var config = RunConfiguration()
        config.data = "spirals"
        config.model = "cnn"
        #expect { try TrainingRun(config) } throws: { "\($0)".contains("cnn: needs image input") }
        config.model = "mlp"
        config.optimizer = "adamax"
        #expect { try TrainingRun(config) } throws: { "\($0)".hasPrefix("optimizer adamax: unknown; use one of sgd, momentum") }
        config.optimizer = "adam"
        config.batchSize = "zero"
        #expect { try TrainingRun(config) } throws: { "\($0)".hasPrefix("batchSize zero: expected a positive number") }
        config.batchSize = "all"
        config.earlyStopPatience = 2
        config.validationSplit = 0
        #expect { try TrainingRun(config) } throws: {
            "\($0)" == "earlyStopPatience needs a validation set; set validationSplit above 0"
        }
        let run = try TrainingRun(RunConfiguration())
        #expect { try run.prepareOutput(out, resume: true) } throws: {
            "\($0)" == "\(out.path): resume: no checkpoint here to continue; run without resume first"
        }
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test func specShapeErrorNamesTheLayer() throws {
        let spec = FileManager.default.temporaryDirectory.appendingPathComponent("nabla-spec-\(UUID().uuidString).yaml")
        try "input: [2]\nlayers:\n  - linear: {in: 3, out: 8}\n  - relu\n  - linear: 2\n".write(to: spec, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: spec) }
        var config = RunConfiguration()
        config.model = spec.path
        #expect { try TrainingRun(config) } throws: { "\($0)".contains("layer 0 (Linear 3→8) gets 2 features") }
    }
}

@Suite struct PGMTests {
    @Test func readsBinaryAndPlain() throws {
        let binary = try PGM.read(data: Data("P5\n# a comment\n2 2\n255\n".utf8) + Data([0, 255, 51, 102]), name: "a.pgm")
        #expect(binary.shape == [1, 2, 2])
        #expect(zip(binary.scalars, [0, 1, 0.2, 0.4] as [Float]).allSatisfy { Swift.abs($0 - $1) < 1e-6 })
        let plain = try PGM.read(data: Data("P2 3 1 4\n0 2 4\n".utf8), name: "b.pgm")
        #expect(plain.scalars == [0, 0.5, 1])
    }

    @Test func badFilesThrowWithThePosition() {
        #expect { try PGM.read(data: Data("P6\n1 1\n255\n\0\0\0".utf8), name: "c.pgm") } throws: { "\($0)".hasPrefix("c.pgm: byte 0: bad magic") }
        #expect { try PGM.read(data: Data("P5\n4 4\n255\n\0\0".utf8), name: "d.pgm") } throws: { "\($0)".contains("the file is truncated") }
        #expect { try PGM.read(data: Data("P5\n99999 2\n255\n".utf8), name: "e.pgm") } throws: { "\($0)".contains("out of range") }
        #expect { try PGM.read(data: Data("P5\n2".utf8), name: "f.pgm") } throws: { "\($0)".contains("ends inside the header") }
    }

    @Test func fuzzedFilesNeverCrash() {
        var g = Generator(seed: 8)
        let valid = [UInt8]("P5\n3 2\n255\n".utf8) + [1, 2, 3, 4, 5, 6]
        for _ in 0..<1000 {
            var bytes = valid
            switch g.nextInt(below: 3) {
            case 0: bytes[g.nextInt(below: bytes.count)] = UInt8(g.nextInt(below: 256))
            case 1: bytes = Array(bytes.prefix(g.nextInt(below: bytes.count)))
            default: bytes += (0..<g.nextInt(below: 8)).map { _ in UInt8(g.nextInt(below: 256)) }
            }
            do { _ = try PGM.read(data: Data(bytes), name: "fuzz.pgm") } catch { #expect(error is FormatError) }
        }
    }
}
