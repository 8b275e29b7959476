import Foundation
import Testing
@testable import NablaCommandLine
import Nabla

/// The flags of the training loop and of the library settings that lacked one: each is parsed, runs
/// a tiny training end to end, and reaches the trainer or optimizer; bad values are one line.
@Suite struct TrainingLoopFlagTests {
    static func folder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("nabla-loop-\(UUID().uuidString)")
    }

    /// Parses `nabla train --data xor … ARGUMENTS`, trains it into a temporary folder, and returns the run.
    static func train(_ arguments: [String]) throws -> TrainingRun {
        let out = folder()
        defer { try? FileManager.default.removeItem(at: out) }
        let options = try TrainOptions.parse(["--data", "xor", "--samples", "64", "--hidden", "8", "--batch-size", "16",
                                              "--epochs", "2", "--val-split", "0.25"] + arguments)
        let run = try TrainingRun(options.configuration())
        _ = try run.fit(outputDirectory: out)
        return run
    }

    static func message(_ arguments: [String]) throws -> String? {
        let options = try TrainOptions.parse(["--data", "xor", "--samples", "64"] + arguments)
        do {
            _ = try TrainingRun(options.configuration())
            return nil
        } catch {
            return commandLineMessage(for: error)
        }
    }

    @Test func theFlagsReachTheConfiguration() throws {
        let c = try TrainOptions.parse(["--warmup-steps", "7", "--min-lr", "1e-4", "--weight-decay-params", "matrices", "--amsgrad",
                                        "--dampening", "0.2", "--rmsprop-alpha", "0.9", "--class-weights", "1, 2.5",
                                        "--accumulate", "4", "--eval-every", "50", "--rotate", "15"]).configuration()
        #expect(c.warmupSteps == 7 && c.minLearningRate == 1e-4 && c.weightDecayParameters == "matrices" && c.amsgrad == true)
        #expect(c.dampening == 0.2 && c.rmspropAlpha == 0.9 && c.classWeights == [1, 2.5])
        #expect(c.accumulationSteps == 4 && c.evalEvery == 50 && c.rotation == 15)
        let defaults = try TrainOptions.parse(["--model", "spec.yaml"]).configuration()
        #expect(defaults.amsgrad == nil && defaults.warmupEpochs == nil && defaults.classWeights == nil)
    }

    @Test func warmupAndCosineStepPerIteration() throws {
        // 48 training samples in batches of 16: 3 steps per epoch, 6 in all; warm-up 2 steps, then cosine to 1e-4.
        let run = try Self.train(["--optimizer", "sgd", "--lr", "0.1", "--lr-schedule", "cosine", "--warmup-steps", "2", "--min-lr", "1e-4"])
        let schedule = try #require(run.trainer.schedule)
        #expect(schedule == StepSchedule(decay: .cosine(minLearningRate: 1e-4), warmupSteps: 2, stepsPerEpoch: 3, totalSteps: 6))
        #expect(run.trainer.history.epochs.map(\.learningRate) == [schedule.learningRate(base: 0.1, step: 2), 1e-4])
        let epochs = try Self.train(["--lr-schedule", "warmup", "--warmup-epochs", "1"])
        #expect(epochs.trainer.schedule?.warmupSteps == 3)   // one epoch of 3 steps
    }

    @Test func amsgradDampeningAndAlphaReachTheOptimizer() throws {
        let adam = try Self.train(["--optimizer", "adam", "--amsgrad"]).trainer.optimizer as? Adam
        #expect(adam?.amsgrad == true && adam?.stateDict().keys.contains("state.0.max_exp_avg_sq") == true)
        let sgd = try Self.train(["--optimizer", "momentum", "--dampening", "0.3"]).trainer.optimizer as? SGD
        #expect(sgd?.dampening == 0.3 && sgd?.momentum == 0.9)
        let rmsprop = try Self.train(["--optimizer", "rmsprop", "--rmsprop-alpha", "0.9"]).trainer.optimizer as? RMSProp
        #expect(rmsprop?.alpha == 0.9)
    }

    @Test func weightDecayOnMatricesMakesTwoGroups() throws {
        let run = try Self.train(["--optimizer", "adamw", "--weight-decay", "0.1", "--weight-decay-params", "matrices"])
        #expect(run.trainer.optimizer.groups.map(\.weightDecay) == [0.1, 0])
        #expect(run.trainer.optimizer.groups.map(\.indices.count) == [2, 2])   // two weight matrices; two biases
        let all = try Self.train(["--optimizer", "adamw", "--weight-decay", "0.1"])
        #expect(all.trainer.optimizer.groups.map(\.weightDecay) == [0.1])
    }

    @Test func classWeightsWeighTheLoss() throws {
        let weighted = try Self.train(["--class-weights", "1,3"])
        let plain = try Self.train([])
        #expect(weighted.trainer.history.epochs[0].trainLoss != plain.trainer.history.epochs[0].trainLoss)
        #expect(try Self.message(["--class-weights", "1,2,3"]) == "--class-weights: 3 weights for 2 classes; give one per class")
        #expect(try Self.message(["--class-weights", "1,-2"]) == "--class-weights -2.0: must be zero or positive")
        #expect(try Self.message(["--class-weights", "0,0"]) == "--class-weights: every weight is 0; give at least one class a positive weight")
        #expect(try Self.message(["--class-weights", "1,2", "--loss", "multi-margin"])
                == "--class-weights apply to cross-entropy classification, not multi-margin")
        #expect(throws: (any Error).self) { try TrainOptions.parse(["--class-weights", "1,x"]).configuration() }
    }

    @Test func accumulationAndEvaluationPeriodsRun() throws {
        let run = try Self.train(["--accumulate", "2", "--eval-every", "4", "--epochs", "3"])
        #expect(run.trainer.accumulationSteps == 2 && run.trainer.evaluationInterval == 4)
        #expect(run.trainer.globalStep == 12 && run.trainer.history.epochs.count == 3)
        #expect(run.trainer.history.epochs.map(\.step) == [4, 8, 12])   // metrics.csv's step column
        #expect(try Self.message(["--accumulate", "20", "--batch-size", "16"])?.hasPrefix("--accumulate 20 splits batches of 16 into micro-batches of 0 samples") == true)
        #expect(try Self.message(["--eval-every", "10", "--max-steps", "100", "--epochs", "5"])
                == "--max-steps 100 is never reached: --epochs counts periods of --eval-every 10 steps, 50 in all; raise --epochs to 10")
        #expect(try Self.message(["--eval-every", "0"]) == "--eval-every 0: must be at least 1")
    }

    @Test func badSettingsAreOneLineNamingTheFlag() throws {
        #expect(try Self.message(["--amsgrad", "--optimizer", "sgd"]) == "--amsgrad applies to adam and adamw, not sgd")
        #expect(try Self.message(["--dampening", "0.5"]) == "--dampening 0.5: applies to sgd and momentum (nesterov needs 0), not adamw")   // the mlp recipe's optimizer
        #expect(try Self.message(["--rmsprop-alpha", "1.5", "--optimizer", "rmsprop"]) == "--rmsprop-alpha 1.5: must be in [0, 1]")
        #expect(try Self.message(["--rotate", "10"]) == "--rotate works on images; xor gives samples of shape [2]")
        #expect(try Self.message(["--rotate", "200"]) == "--rotate 200.0: must be in [0, 180]")
        #expect(try Self.message(["--warmup-steps", "3", "--warmup-epochs", "1"])
                == "--warmup-steps and --warmup-epochs both given; give the warm-up in one of them")
        #expect(try Self.message(["--weight-decay-params", "some"]) == "--weight-decay-params some: unknown; use all or matrices")
        #expect(try Self.message(["--min-lr=-1"]) == "--min-lr -1.0: must be zero or positive")
    }

    /// Rotation on 8×8 one-channel images from NPY files.
    @Test func rotationAugmentsImages() throws {
        let folder = Self.folder()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let x = folder.appendingPathComponent("x.npy"), y = folder.appendingPathComponent("y.npy")
        Random.seed(2)
        try NPY.write(Tensor.uniform([40, 1, 8, 8]), to: x)
        try NPY.write(Tensor(shape: [40], scalars: (0..<40).map { Float($0 % 2) }), to: y)
        let options = try TrainOptions.parse(["--data", "npy:\(x.path),\(y.path)", "--task", "classification", "--model", "mlp",
                                              "--hidden", "8", "--epochs", "1", "--batch-size", "8", "--val-split", "0", "--rotate", "20"])
        let run = try TrainingRun(options.configuration())
        let rotation = try #require(run.trainer.train.augmentation as? RandomRotation)
        #expect(rotation.degrees == -20...20)
        _ = try run.fit(outputDirectory: folder.appendingPathComponent("run"))
        #expect(run.trainer.globalStep == 5)
    }

    // MARK: NABLA_THREADS

    @Test func threadCountsFromTheEnvironment() {
        #expect(NablaCommand.environmentProblem([:]) == nil)
        #expect(NablaCommand.environmentProblem(["NABLA_THREADS": "3"]) == nil)
        #expect(NablaCommand.environmentProblem(["NABLA_THREADS": "0"])?.hasPrefix("NABLA_THREADS=0: expected a whole number of threads from 1 to 1024") == true)
        #expect(NablaCommand.environmentProblem(["NABLA_THREADS": "two"])?.hasPrefix("NABLA_THREADS=two: expected") == true)
        #expect((try? Parallel.threads(environment: "2")) == 2)
    }

    @Test func simdVariantsFromTheEnvironment() {
        #expect(NablaCommand.environmentProblem(["NABLA_SIMD": "baseline"]) == nil)
        #expect(NablaCommand.environmentProblem(["NABLA_SIMD": "sse9"]) == "NABLA_SIMD=sse9: expected one of baseline, avx2, avx512")
        for variant in SIMDVariant.allCases where !variant.isSupported {
            #expect(NablaCommand.environmentProblem(["NABLA_SIMD": variant.rawValue])?.contains("this CPU lacks") == true)
        }
        #expect((try? SIMDVariant.resolve(environment: nil)) == SIMDVariant.supported.last)
    }

    @Test func infoReportsTheThreadsAndABadValueIsOneLine() throws {
        let info = try ChildProcess.run(["info"], environment: ["NABLA_THREADS": "3"])
        #expect(info.exitStatus == 0)
        #expect(info.standardOutput.contains("threads: 3 (set by NABLA_THREADS;"), "\(info.standardOutput)")
        let bad = try ChildProcess.run(["info"], environment: ["NABLA_THREADS": "lots"])
        #expect(bad.exitStatus == 1)
        #expect(bad.standardError.split(separator: "\n").count == 1)
        #expect(bad.standardError.hasPrefix("error: NABLA_THREADS=lots: expected a whole number of threads"))
    }

    @Test func infoReportsTheSIMDVariantAndRefusesAnUnknownOne() throws {
        let info = try ChildProcess.run(["info"], environment: ["NABLA_SIMD": "baseline"])
        #expect(info.standardOutput.contains("SIMD kernels: baseline (set by NABLA_SIMD; supported: baseline"), "\(info.standardOutput)")
        let bad = try ChildProcess.run(["info"], environment: ["NABLA_SIMD": "avx1024"])
        #expect(bad.exitStatus == 1)
        #expect(bad.standardError == "error: NABLA_SIMD=avx1024: expected one of baseline, avx2, avx512\n")
    }
}
