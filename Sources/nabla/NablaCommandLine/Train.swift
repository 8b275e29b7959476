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
        let baseline = try TrainOptions.parse([]).configuration()
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
