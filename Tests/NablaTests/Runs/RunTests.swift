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
        // Three rows are too few to infer three classes (that needs ten rows a class), so say so.
        #expect(try DataSource.csv(path: classes.path).load().task == .regression)
        let c = try DataSource.csv(path: classes.path).load(options: DataOptions(standardize: true, task: .classification))
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

@Suite struct RunLossTests {
    private func config(data: String) -> RunConfiguration {
        var config = RunConfiguration()
        config.data = data
        config.syntheticCount = 64
        config.model = "linear"
        config.loss = "msle"
        config.learningRate = 50
        config.optimizer = "sgd"
        config.epochs = 3
        config.validationSplit = 0
        return config
    }

    @Test func msleIsReachableByNameAndItsNonFiniteLossStopsTheRun() throws {
        let folder = try IOTempDirectory()
        let csv = folder.file("data.csv")
        let rows = (0..<32).map { "\(Double($0) / 8),\(0.5 + Double($0 % 5) / 10)" }
        try ("x,y\n" + rows.joined(separator: "\n")).write(to: csv, atomically: true, encoding: .utf8)
        var caught: TrainingError?
        do { _ = try TrainingRun(config(data: "csv:" + csv.path)).fit(outputDirectory: folder.file("run")) } catch let error as TrainingError {
            caught = error
        }
        guard case .nonFiniteLoss(_, let step, _)? = caught else {
            Issue.record("expected a non-finite loss stop, got \(String(describing: caught))")
            return
        }
        #expect(step >= 1)
    }

    @Test func msleOnTargetsAtOrBelowMinusOneIsAConfigurationError() {
        #expect(throws: ConfigurationError.self) { _ = try TrainingRun(config(data: "linear")) }
    }
}

@Suite struct BatchNormRunTests {
    private func config(samples: Int, batchSize: String) -> RunConfiguration {
        var config = RunConfiguration()
        config.data = "moons"
        config.syntheticCount = samples
        config.model = "mlp"
        config.hidden = [8]
        config.batchNorm = true
        config.batchSize = batchSize
        config.epochs = 1
        config.validationSplit = 0
        return config
    }

    @Test func aFinalBatchOfOneSampleIsSkippedWhenTheModelHasBatchNorm() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("nabla-bn-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let run = try TrainingRun(config(samples: 33, batchSize: "16"))
        #expect(run.trainer.train.batchesPerEpoch == 2)
        let result = try run.fit(outputDirectory: out)
        #expect(result.epochs == 1)
    }

    @Test func withAccumulationALastBatchTooShortForTwoSamplesPerMicroBatchIsSkipped() throws {
        // 34 samples in batches of 16 leave 2, which two micro-steps would split into batches of one.
        var accumulating = config(samples: 34, batchSize: "16")
        accumulating.accumulationSteps = 2
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("nabla-bn-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let run = try TrainingRun(accumulating)
        try #require(run.trainer.train.batchesPerEpoch == 2)
        #expect(try run.fit(outputDirectory: out).epochs == 1)
    }

    @Test func batchSizeOneWithBatchNormIsAConfigurationError() {
        #expect(throws: ConfigurationError.self) { _ = try TrainingRun(config(samples: 33, batchSize: "1")) }
    }

    @Test func theLoaderKeepsAFinalBatchOfOneOtherwise() {
        let loader = DataLoader(Synthetic.moons(count: 33, noise: 0.1, seed: 0), batchSize: 16)
        #expect(loader.batchesPerEpoch == 3)
        #expect(DataLoader(Synthetic.moons(count: 33, noise: 0.1, seed: 0), batchSize: 16, minLastBatch: 2).batchesPerEpoch == 2)
    }
}

@Suite struct AugmentationChoiceTests {
    private func contains<T>(_ augmentation: (any Augmentation)?, _: T.Type) -> Bool {
        if augmentation is T { return true }
        guard let compose = augmentation as? Compose else { return false }
        return compose.transforms.contains { $0 is T }
    }

    @Test func digitsAreNeverFlippedClothesAre() {
        #expect(!contains(DataSource.mnist.augmentation(imageSize: 28), RandomHorizontalFlip.self))
        #expect(contains(DataSource.mnist.augmentation(imageSize: 28), RandomRotation.self))
        #expect(contains(DataSource.fashionMNIST.augmentation(imageSize: 28), RandomHorizontalFlip.self))
        #expect(!contains(DataSource.npy(inputs: "x", targets: "y").augmentation(imageSize: 8), RandomHorizontalFlip.self))
        #expect(DataSource.moons.augmentation(imageSize: 2) == nil)
    }
}

@Suite struct StandardizationLeakTests {
    @Test func theStandardizerIsFittedOnTheTrainingSplitOnly() throws {
        let folder = try IOTempDirectory()
        let csv = folder.file("data.csv")
        let rows = (0..<40).map { i in "\(Double(i)),\(i % 2)" }
        try ("x,label\n" + rows.joined(separator: "\n")).write(to: csv, atomically: true, encoding: .utf8)
        var config = RunConfiguration()
        config.data = "csv:" + csv.path
        config.model = "linear"
        config.standardize = true
        config.validationSplit = 0.5
        let run = try TrainingRun(config)
        let trainRows = run.trainer.train.dataset.batch(0..<run.trainer.train.dataset.count).inputs
        let standardizer = try #require(run.data.standardizer)
        // The training rows, standardized with statistics of their own, have mean 0 and deviation 1.
        let mean = trainRows.mean().item, deviation = trainRows.variance(unbiased: false).item.squareRoot()
        #expect(Swift.abs(mean) < 1e-5 && Swift.abs(deviation - 1) < 1e-4, "mean \(mean), deviation \(deviation)")
        // and so the fitted mean is not the whole file's (19.5).
        #expect(standardizer.mean[0] != 19.5)
    }
}

@Suite struct HingeLossChoiceTests {
    @Test func hingeIsTheTwoClassHingeAndMultiMarginIsItsOwnName() throws {
        var config = RunConfiguration()
        let logits = Tensor([[0.2, -0.3], [1.0, 0.5], [-0.4, 0.9]]), targets = Tensor([0, 1, 1])
        config.loss = "hinge"
        let hinge = try config.makeLoss(task: .classification, classes: 2)(logits, targets).item
        // max(0, 1 − y·(z₁ − z₀)) with y = ±1: (0 + 1.5 + 0) / 3
        let scores = Tensor([-0.5, -0.5, 1.3]), signs = Tensor([-1, 1, 1])
        #expect(Swift.abs(hinge - hingeLoss(scores, signs).item) < 1e-6)
        config.loss = "multi-margin"
        let multiMargin = try config.makeLoss(task: .classification, classes: 2)(logits, targets).item
        #expect(Swift.abs(hinge - 2 * multiMargin) < 1e-6)
        config.loss = "hinge"
        #expect(throws: ConfigurationError.self) { _ = try config.makeLoss(task: .classification, classes: 3) }
    }
}
