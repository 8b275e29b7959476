import Foundation
import Testing
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// A folder with a small text file, removed at the end of the test.
struct TextFixture {
    let folder: URL
    let path: String

    /// Three lines of verse repeated: 2,869 characters of a 10-character alphabet.
    static let verse = (0..<200).map { i in ["the cat sat", "a hat, a mat", "that cat"][i % 3] + " \(["at", "ha", "ta"][i % 3])\n" }.joined()

    init(_ text: String = Self.verse) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("nabla-text-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        path = folder.appendingPathComponent("input.txt").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    /// A tiny gpt on the text: 1 layer, 2 heads, embed 16, block 8.
    func config(steps: Int? = 6, epochs: Int = 3) -> RunConfiguration {
        var config = RunConfiguration()
        config.data = "text:\(path)"
        config.model = "gpt"
        (config.layers, config.heads, config.embed, config.blockSize) = (1, 2, 16, 8)
        config.optimizer = "adamw"
        config.batchSize = "4"
        config.epochs = epochs
        config.maxSteps = steps
        config.seed = 5
        return config
    }
}

@Suite struct TextDataSourceTests {
    @Test func textIsSplitIntoTrainingWindowsAndAHeldOutTail() throws {
        let fixture = try TextFixture("abcdefghij" + String(repeating: "z", count: 90))
        defer { fixture.remove() }
        #expect(try DataSource.parse("text:\(fixture.path)") == .text(path: fixture.path))
        let data = try DataSource.text(path: fixture.path).load(options: DataOptions(blockSize: 4, validationFraction: 0.1))
        #expect(data.task == .languageModeling && data.inputShape == [4] && data.outputs == 11)
        #expect(data.vocabulary?.characters.count == 11)
        let train = try #require(data.train as? TextWindows), validation = try #require(data.validation as? TextWindows)
        #expect(train.tokens.count == 90 && train.count == 86 && train.stride == 1)
        // The last 10 characters, in non-overlapping windows of 4 (the tenth is only a target).
        #expect(validation.tokens.count == 10 && validation.count == 2 && validation.stride == 4)
        #expect(train.batch([0]).inputs.scalars == [0, 1, 2, 3])
    }

    @Test func badTextFilesSayWhatIsWrong() throws {
        let fixture = try TextFixture()
        defer { fixture.remove() }
        let url = URL(fileURLWithPath: fixture.path)
        try Data([0x61, 0x62, 0x0A, 0xC0, 0xAF]).write(to: url)
        #expect { try DataSource.text(path: fixture.path).load() } throws: { "\($0)".hasPrefix("\(fixture.path): byte 3: not valid UTF-8") }
        try Data().write(to: url)
        #expect { try DataSource.text(path: fixture.path).load() } throws: { "\($0)".hasPrefix("\(fixture.path): the file is empty") }
        try Data("short text".utf8).write(to: url)
        #expect { try DataSource.text(path: fixture.path).load(options: DataOptions(blockSize: 64)) } throws: {
            "\($0)".hasPrefix("\(fixture.path): 10 characters are too few for windows of 64: training needs at least 65")
                && "\($0)".hasSuffix("use a longer text or a smaller blockSize")
        }
    }
}

@Suite struct TextRunTests {
    @Test func trainsAGPTReportsBitsPerCharacterAndGenerates() throws {
        let fixture = try TextFixture()
        defer { fixture.remove() }
        let out = fixture.folder.appendingPathComponent("run")
        let run = try TrainingRun(fixture.config())
        #expect(run.model is GPT && run.data.task == .languageModeling)
        // An epoch of random windows holds as many characters as the training text: 2,582 / (4 · 8) = 80 steps.
        #expect(run.trainer.train.batchesPerEpoch == 80 && run.trainer.train.samplesPerEpoch == 320)
        let result = try run.fit(outputDirectory: out)
        #expect(result.validationLoss.map { $0.isFinite && $0 > 0 } == true)
        let csv = try String(contentsOf: out.appendingPathComponent("metrics.csv"), encoding: .utf8).split(separator: "\n")
        #expect(csv[0] == "epoch,train_loss,train_accuracy,val_loss,val_accuracy,lr,seconds,step,train_bpc,val_bpc")
        let row = csv[1].split(separator: ",").map { Double($0) ?? .nan }
        #expect(Swift.abs(row[9] - row[3] / Foundation.log(2.0)) < 1e-9)
        let checkpoint = Set(try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("checkpoint").path))
        #expect(checkpoint.contains(Vocabulary.file))

        let trained = try TrainedModel.load(from: out)
        #expect(trained.vocabulary == run.data.vocabulary)
        var streamed = ""
        let text = try trained.generate(prompt: "the ", count: 30, sampling: Sampler(temperature: 0.8), seed: 2) { streamed += $0 }
        #expect(text == streamed && text.unicodeScalars.count == 30)
        #expect(text.unicodeScalars.allSatisfy { trained.vocabulary!.token($0) != nil })
        #expect(try trained.generate(prompt: "the ", count: 30, sampling: Sampler(temperature: 0.8), seed: 2) == text)
        #expect { try trained.generate(prompt: "the dog", count: 5) } throws: {
            "\($0)" == "the character \"d\" (U+0064) at position 4 is not in the vocabulary of 10 characters"
        }
    }

    @Test func resumingContinuesExactlyAndRefusesOtherSizes() throws {
        let fixture = try TextFixture()
        defer { fixture.remove() }
        let straight = fixture.folder.appendingPathComponent("straight"), split = fixture.folder.appendingPathComponent("split")
        // Two epochs of 80 random-window steps, straight or with a stop between the epochs.
        _ = try TrainingRun(fixture.config(steps: nil, epochs: 2)).fit(outputDirectory: straight)
        _ = try TrainingRun(fixture.config(steps: nil, epochs: 1)).fit(outputDirectory: split)
        let resumed = try TrainingRun(fixture.config(steps: nil, epochs: 2))
        _ = try resumed.fit(outputDirectory: split, resume: true)
        #expect(resumed.trainer.globalStep == 160)
        let a = try TrainedModel.load(from: straight).model.stateDict(), b = try TrainedModel.load(from: split).model.stateDict()
        #expect(a.keys.allSatisfy { a[$0]!.scalars == b[$0]!.scalars })

        var other = fixture.config()
        other.blockSize = 4
        #expect { try RunConfiguration.resuming(fixture.config(), requested: other, baseline: RunConfiguration()) } throws: {
            "\($0)".hasPrefix("blockSize 4 differs from the run's own (8)")
        }
    }

    @Test func evaluationPeriodsPlayTheEpochsRoleAndResumeExactly() throws {
        let fixture = try TextFixture()
        defer { fixture.remove() }
        func config(periods: Int) -> RunConfiguration {
            var config = fixture.config(steps: nil, epochs: periods)
            (config.evalEvery, config.lrSchedule, config.warmupSteps, config.minLearningRate) = (5, "cosine", 3, 1e-4)
            return config
        }
        let straight = fixture.folder.appendingPathComponent("straight"), split = fixture.folder.appendingPathComponent("split")
        let result = try TrainingRun(config(periods: 3)).fit(outputDirectory: straight)
        #expect(result.epochs == 3)
        let rows = try String(contentsOf: straight.appendingPathComponent("metrics.csv"), encoding: .utf8).split(separator: "\n").dropFirst()
        #expect(rows.map { $0.split(separator: ",")[7] } == ["5", "10", "15"])   // a validation every 5 steps
        // Stopped after step 7, in the middle of the second period, then resumed.
        let first = try TrainingRun(config(periods: 3)), stop = StopRequest()
        first.trainer.stopRequest = stop
        #expect(throws: TrainingError.self) { try first.fit(outputDirectory: split, callbacks: [TrainerTests.StopAfter(step: 7, stop)]) }
        _ = try TrainingRun(config(periods: 3)).fit(outputDirectory: split, resume: true)
        let a = try TrainedModel.load(from: straight).model.stateDict(), b = try TrainedModel.load(from: split).model.stateDict()
        #expect(a.keys.allSatisfy { a[$0]!.scalars == b[$0]!.scalars })
    }

    @Test func settingsThatDoNotFitAreRefusedBeforeTraining() throws {
        let fixture = try TextFixture()
        defer { fixture.remove() }
        var config = fixture.config()
        config.heads = 3
        #expect { try TrainingRun(config) } throws: { "\($0)".hasPrefix("heads 3 does not divide embed 16") }
        config = fixture.config()
        config.model = "mlp"
        #expect { try TrainingRun(config) } throws: { "\($0)" == "model mlp: text:\(fixture.path) is text, which needs a language model; use model gpt" }
        var spirals = RunConfiguration()
        spirals.model = "gpt"
        #expect { try TrainingRun(spirals) } throws: { "\($0)" == "model gpt is a language model, and spirals is not text; use data text:PATH" }
        #expect { try ModelPreset.gpt.build(inputShape: [8], outputs: 5, options: PresetOptions(heads: 3)) } throws: {
            "\($0)" == "gpt: heads 3 must divide embed 128, and layers 4 be positive"
        }
    }

    @Test func aCheckpointThatIsNotALanguageModelCannotGenerate() throws {
        var config = RunConfiguration()
        (config.data, config.hidden, config.epochs) = ("xor", [4], 1)
        let out = TrainingRunTests.folder()
        defer { try? FileManager.default.removeItem(at: out) }
        _ = try TrainingRun(config).fit(outputDirectory: out)
        #expect { try TrainedModel.load(from: out).generate(prompt: "a", count: 3) } throws: {
            "\($0)" == "the run trained mlp for classification on xor, not a language model; generate from a run of the gpt model on text:PATH data"
        }
    }
}
