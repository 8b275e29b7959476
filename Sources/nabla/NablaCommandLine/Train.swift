import ArgumentParser
import Foundation
import Nabla

/// `nabla train`: train a model and write a run folder.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a model and write a run folder with checkpoints, metrics, plots and report.html.",
        discussion: """
            Examples:
              nabla train --data fashion-mnist --model cnn --epochs 3 --out runs/cnn
              nabla train --data csv:iris.csv --standardize --model mlp --hidden 16 --batch-size all
              nabla train --data spirals --model model.yaml --optimizer sgd --lr 0.1 --momentum 0.9

            Defaults: each preset trains with its recipe, the options below, unless given otherwise \
            (a spec file takes the plain defaults shown with each option). Another --optimizer starts \
            from its own rate and weight decay; another --lr-schedule comes without the recipe's warm-up and floor.
            \(TrainingRecipe.commandLineTable)
            """)

    @OptionGroup var options: TrainOptions
    @Option(help: "The run folder.") var out = "runs/latest"
    @Option(parsing: .unconditional, help: Hyperparameters.checkpointInterval.help)
    var checkpointEvery = Hyperparameters.checkpointInterval.defaultValue
    @Flag(help: "Continue the run in --out up to the total --epochs, with the run's own settings (only --epochs, --max-steps and --lr (the base rate the schedule scales) may change).")
    var resume = false
    @Option(help: "Train with the settings of a saved config.json (e.g. RUN/checkpoint/config.json); options given as well override them.")
    var config: String?
    @Flag(help: "Print one final JSON object instead of progress.") var json = false

    func run() throws {
        try reportingErrors {
            let group = try ProcessGroup.fromLauncher()
            let main = group?.isMain ?? true
            let directory = URL(fileURLWithPath: out)
            let config = try configuration(directory)
            let run = try TrainingRun(config)
            if let group { try run.distribute(over: group) }
            try run.prepareOutput(directory, resume: resume)
            if !json && main {
                print(run.model.summary(inputShape: run.sampleShape))
                let classes = run.data.task == .classification ? " (\(run.data.outputs) classes)" : ""
                print("task: \(run.data.task.rawValue)\(classes)")
                print("training on \(run.trainer.train.dataset.count) samples"
                      + (run.validationSet.map { ", validating on \($0.count)" } ?? "") + "; writing \(directory.path)")
            }
            let callbacks: [TrainingCallback] = json || !main ? [] : [ConsoleProgress(epochs: config.epochs, bitsPerCharacter: run.data.task == .languageModeling)]
            try Hyperparameters.checkpointInterval.validate(checkpointEvery)
            // Ctrl-C or SIGTERM: finish the step, write a resumable checkpoint, release the folder, exit 128 + signal.
            run.trainer.stopRequest = StopRequest.onSignals([SIGINT, SIGTERM])
            let result = try run.fit(outputDirectory: directory, resume: resume, callbacks: callbacks, checkpointInterval: checkpointEvery)
            defer { group?.finish() }
            if !main { return }
            if json {
                print(try jsonLine(result))
            } else {
                if let a = result.testAccuracy { print("test accuracy \(String(format: "%.4f", a)), test loss \(String(format: "%.4f", result.testLoss!))") }
                print("stopped: \(result.stopReason)")
                if let line = DistributedCommandLine.communicationLine(run, seconds: result.seconds) { print(line) }
                print("run folder: \(directory.path) (open \(directory.appendingPathComponent("report.html").path))")
            }
        }
    }
}

extension Train {
    /// The run's settings: the options given, on top of `--config`'s file when there is one; when
    /// resuming a run, its own saved settings, which options may change only in how long it runs and
    /// its learning rate.
    func configuration(_ directory: URL) throws -> RunConfiguration {
        // What the options are compared with: the defaults for the model asked for, its recipe included,
        // so that only the options given count as changes (a different --model is one).
        var baseline = try TrainOptions.parse(["--model", options.model]).configuration()
        baseline.model = try TrainOptions.parse([]).model
        var requested = try options.configuration()
        if let config {
            requested = try RunConfiguration.load(contentsOf: URL(fileURLWithPath: config)).applying(changesIn: requested, from: baseline)
        }
        guard resume, let saved = try? TrainedModel.load(from: directory).config else { return requested }
        let resumed = try RunConfiguration.resuming(saved, requested: requested, baseline: baseline)
        if resumed.learningRate != saved.learningRate, !json, ProcessGroup.current?.isMain ?? true {
            print("note: --lr \(resumed.learningRate.map { "\($0)" } ?? "default") replaces the run's \(saved.learningRate.map { "\($0)" } ?? "default") "
                  + "as the base rate: the rate continues from the checkpoint's, scaled by the new base over the old")
        }
        return resumed
    }
}

/// One JSON line with sorted keys.
func jsonLine<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

extension TrainingRecipe {
    /// The recipe as the options that give it, e.g. `--optimizer adamw --lr 0.002 … --val-split 0.05`.
    var commandLine: String {
        var config = RunConfiguration()
        apply(to: &config)
        var options = ["--optimizer \(config.optimizer)", "--lr \(Self.show(learningRate))"]
        if let weightDecay { options.append("--weight-decay \(Self.show(weightDecay))") }
        options.append("--batch-size \(config.batchSize)")
        if let warmupEpochs { options.append("--warmup-epochs \(warmupEpochs)") }
        options.append("--lr-schedule \(lrSchedule)")
        if let minLearningRate { options.append("--min-lr \(Self.show(minLearningRate))") }
        options += ["--label-smoothing \(Self.show(Double(labelSmoothing)))", "--val-split \(Self.show(validationSplit))"]
        return options.joined(separator: " ")
    }

    /// One line per preset: `  mlp: --optimizer adamw …`.
    static var commandLineTable: String {
        ModelPreset.allCases.map { "  \($0.rawValue): \(presets[$0]?.commandLine ?? standard.commandLine)" }.joined(separator: "\n")
    }

    /// `0.002` rather than `0.0020000000949949026`, `1e-05` as Swift writes it.
    private static func show(_ value: Double) -> String {
        let text = "\(Float(value))"
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }
}
