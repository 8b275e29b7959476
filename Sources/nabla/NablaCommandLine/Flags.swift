import ArgumentParser
import Foundation
import Nabla

extension Setting {
    /// The command-line flag that sets this setting, or `nil` where none does.
    var flag: String? {
        switch self {
        case .data: "--data"
        case .testData: "--test-data"
        case .dataDirectory: "--data-dir"
        case .labelColumn: "--label-column"
        case .standardize: "--standardize"
        case .task: "--task"
        case .validationSplit: "--val-split"
        case .augment: "--augment"
        case .model: "--model"
        case .hidden: "--hidden"
        case .activation: "--activation"
        case .dropout: "--dropout"
        case .batchNorm: "--batch-norm"
        case .syncBatchNorm: "--sync-batch-norm"
        case .initializer: "--init"
        case .pretrained: "--pretrained"
        case .layers: "--layers"
        case .heads: "--heads"
        case .embed: "--embed"
        case .blockSize: "--block-size"
        case .loss: "--loss"
        case .labelSmoothing: "--label-smoothing"
        case .optimizer: "--optimizer"
        case .learningRate: "--lr"
        case .momentum: "--momentum"
        case .beta1: "--beta1"
        case .beta2: "--beta2"
        case .weightDecay: "--weight-decay"
        case .lrSchedule: "--lr-schedule"
        case .lrStepSize: "--lr-step"
        case .lrGamma: "--lr-gamma"
        case .l1: "--l1"
        case .l2: "--l2"
        case .clipNorm: "--clip-norm"
        case .batchSize: "--batch-size"
        case .epochs: "--epochs"
        case .maxSteps: "--max-steps"
        case .earlyStopPatience: "--early-stop"
        case .minDelta: "--min-delta"
        case .gradientTolerance: "--grad-tol"
        case .lossTolerance: "--loss-tol"
        case .seed: "--seed"
        case .outputDirectory: "--out"
        case .resume: "--resume"
        case .syntheticCount: "--samples"
        case .huberDelta: "--huber-delta"
        case .eps: "--eps"
        case .warmupEpochs: "--warmup-epochs"
        case .plateauPatience: "--plateau-patience"
        case .clipValue: "--clip-value"
        case .explodingThreshold: "--exploding-threshold"
        case .topK: "--top-k"
        case .divergenceFactor: "--divergence-factor"
        case .divergenceSteps: "--divergence-steps"
        case .checkpointInterval: "--checkpoint-every"
        case .warmupSteps: "--warmup-steps"
        case .minLearningRate: "--min-lr"
        case .weightDecayParameters: "--weight-decay-params"
        case .amsgrad: "--amsgrad"
        case .dampening: "--dampening"
        case .rmspropAlpha: "--rmsprop-alpha"
        case .classWeights: "--class-weights"
        case .accumulationSteps: "--accumulate"
        case .evalEvery: "--eval-every"
        case .rotation: "--rotate"
        case .polyFeatures: "--poly-features"
        }
    }

    /// How the command line names this setting: its flag, or its library name where it has none.
    var commandLineName: String { flag ?? rawValue }
}

extension SettingText {
    /// The text with settings named by their flags.
    var commandLine: String { rendered { $0.commandLineName } }
}

/// What the command line prints for `error`: a library error with its settings named by their flags.
func commandLineMessage(for error: Error) -> String {
    if let error = error as? SettingNaming { return error.message.commandLine }
    return "\(error)"
}

/// Runs `body`, turning any error into one line on standard error and a non-zero exit code:
/// 128 + the signal for training that a signal interrupted, as a shell reports it, 1 otherwise.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ExitCode {
        throw error
    } catch {
        if let line = DistributedCommandLine.errorLine(for: error) { FileHandle.standardError.write(Data((line + "\n").utf8)) }
        DistributedCommandLine.settle(after: error)
        throw exitCode(for: error)
    }
}

/// The exit code for `error`.
func exitCode(for error: Error) -> ExitCode {
    guard let error = error as? TrainingError else { return .failure }
    switch error {
    case .interrupted(let signal?, _, _, _): return ExitCode(128 + signal)
    case .interrupted(nil, _, _, _), .nonFiniteLoss, .diverged, .nonFiniteWeights: return .failure
    }
}

extension Task: ExpressibleByArgument {}
