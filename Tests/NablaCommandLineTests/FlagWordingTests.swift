import Foundation
import Testing
@testable import NablaCommandLine
import Nabla

/// The command line owns the wording of errors: settings named by their flags.
@Suite struct FlagWordingTests {
    static func folder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("nabla-cli-\(UUID().uuidString)")
    }

    /// The message `nabla train ARGUMENTS` prints for the error the run throws before training.
    static func trainMessage(_ arguments: [String]) throws -> String? {
        let options = try TrainOptions.parse(["--data", "xor"] + arguments)
        do {
            _ = try TrainingRun(options.configuration())
            return nil
        } catch {
            return commandLineMessage(for: error)
        }
    }

    @Test func everyFlagIsATrainOption() {
        let help = Train.helpMessage(columns: 1000)
        for setting in Setting.allCases {
            guard let flag = setting.flag else { continue }
            #expect(help.contains("\(flag) ") || help.contains("\(flag)\n"), "\(setting) → \(flag)")
        }
    }

    @Test func optionErrorsNameTheFlag() throws {
        #expect(try Self.trainMessage(["--lr=-1"]) == "--lr -1.0: must be zero or positive")
        #expect(try Self.trainMessage(["--epochs", "0"]) == "--epochs 0: must be at least 1")
        #expect(try Self.trainMessage(["--val-split", "1.5"]) == "--val-split 1.5: must be in [0, 1)")
        #expect(try Self.trainMessage(["--l2=-0.5"]) == "--l2 -0.5: must be zero or positive")
        #expect(try Self.trainMessage(["--optimizer", "adamax"])?.hasPrefix("--optimizer adamax: unknown; use one of sgd") == true)
        #expect(try Self.trainMessage(["--batch-size", "zero"])?.hasPrefix("--batch-size zero: expected a positive number") == true)
        #expect(try Self.trainMessage(["--early-stop", "2", "--val-split", "0"])
                == "--early-stop needs a validation set; set --val-split above 0")
        #expect(try Self.trainMessage(["--model", "mlp3"])?.hasPrefix("--model mlp3: not a preset") == true)
        #expect(try Self.trainMessage(["--lr-schedule", "linear"])?.hasPrefix("--lr-schedule linear: unknown") == true)
    }

    /// Every setting the library has can be set from the command line.
    @Test func everySettingHasAFlag() {
        #expect(Setting.allCases.filter { $0.flag == nil }.isEmpty, "\(Setting.allCases.filter { $0.flag == nil })")
    }

    @Test func theNewFlagsReachTheConfiguration() throws {
        let c = try TrainOptions.parse(["--samples", "300", "--huber-delta", "0.5", "--eps", "1e-6", "--warmup-epochs", "2",
                                        "--plateau-patience", "4", "--clip-value", "0.25", "--exploding-threshold", "50",
                                        "--top-k", "3", "--divergence-factor", "100", "--divergence-steps", "5"]).configuration()
        #expect(c.syntheticCount == 300 && c.huberDelta == 0.5 && c.eps == 1e-6 && c.warmupEpochs == 2 && c.plateauPatience == 4)
        #expect(c.clipValue == 0.25 && c.explodingThreshold == 50 && c.topK == 3 && c.divergenceFactor == 100 && c.divergenceSteps == 5)
        #expect(try Train.parse(["--checkpoint-every", "3"]).checkpointEvery == 3)
        #expect(try Self.trainMessage(["--divergence-steps", "0"]) == "--divergence-steps 0: must be at least 1")
    }

    @Test func negativeNumbersAfterAFlagAreReadAsValues() throws {
        #expect(try TrainOptions.parse(["--lr", "-0.01"]).lr == -0.01)
        #expect(try Self.trainMessage(["--lr", "-0.01"]) == "--lr -0.01: must be zero or positive")
        #expect(try Self.trainMessage(["--l1", "-2"]) == "--l1 -2.0: must be zero or positive")
        #expect(try Self.trainMessage(["--epochs", "-3"]) == "--epochs -3: must be at least 1")
    }

    @Test func dataErrorsNameTheFlag() {
        #expect { try DataSource.parse("npy:a.npy") } throws: {
            commandLineMessage(for: $0) == "--data npy:a.npy: npy needs two files, as npy:X_PATH,Y_PATH"
        }
        #expect { try DataSource.parse("imagenet") } throws: {
            commandLineMessage(for: $0).hasPrefix("--data imagenet: unknown data set; use one of fashion-mnist")
        }
        #expect { try DataSource.fashionMNIST.load(options: DataOptions(directory: "/nonexistent-folder")) } throws: {
            commandLineMessage(for: $0).hasSuffix("download the four standard files into a folder and pass it as --data-dir.")
        }
    }

    @Test func runFolderErrorsNameOutAndResume() throws {
        let out = Self.folder()
        defer { try? FileManager.default.removeItem(at: out) }
        let options = try TrainOptions.parse(["--data", "xor", "--epochs", "1", "--hidden", "4"])
        let run = try TrainingRun(options.configuration())
        #expect { try run.prepareOutput(out, resume: true) } throws: {
            commandLineMessage(for: $0) == "\(out.path): --resume: no checkpoint here to continue; run without --resume first"
        }
        _ = try run.fit(outputDirectory: out)
        #expect { try run.prepareOutput(out, resume: false) } throws: {
            commandLineMessage(for: $0) == "--out \(out.path) already holds a run; pass --resume to continue it, or choose another --out"
        }
        let lock = try FolderLock(out)
        #expect { try run.prepareOutput(out, resume: true) } throws: {
            commandLineMessage(for: $0).hasSuffix("is writing this run folder; wait for it to end, or choose another --out")
        }
        lock.release()
        let blocked = out.appendingPathComponent("metrics.csv").appendingPathComponent("run")
        #expect { try run.prepareOutput(blocked, resume: false) } throws: {
            let text = commandLineMessage(for: $0)
            return text.hasPrefix("cannot write to \(blocked.path): ") && text.hasSuffix("; choose a writable --out")
        }
    }

    @Test func trainingErrorsNameTheFlags() {
        let error = TrainingError.nonFiniteLoss(epoch: 2, step: 7, value: .infinity)
        #expect(commandLineMessage(for: error)
                == "training stopped: the loss became inf at epoch 2, step 7; lower the learning rate (--lr) or clip gradients (--clip-norm)")
    }

    @Test func helpReadsTheTable() {
        let help = Train.helpMessage(columns: 1000)
        #expect(help.contains("--lr <lr>") && help.contains(Hyperparameters.learningRate.summary.description))
        #expect(help.contains("(default: the preset's recipe, listed below; otherwise 0.001; 0.01 for adagrad and rmsprop)"))
        #expect(help.contains("(default: the preset's recipe, listed below; otherwise 0.0; 0.01 for adamw)"))
        #expect(help.contains("Early stopping patience in epochs (needs --val-split above 0)."))
        #expect(help.contains("--epochs <epochs>") && help.contains("Total epochs. (default: 5)"))
    }
}
