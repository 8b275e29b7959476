import ArgumentParser
import Foundation
import Nabla

/// `nabla demo`: the built-in default run, an MLP on two spirals.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train an MLP on the built-in two-spirals set and write a run folder with plots (no downloads).")

    @Option(help: "The run folder.") var out = "runs/demo"
    @Option(help: "Epochs.") var epochs = 150
    @Option(help: Hyperparameters.seed.help) var seed = Hyperparameters.seed.defaultValue
    @Flag(help: "Print one final JSON object instead of progress.") var json = false

    func run() throws {
        try reportingErrors {
            var config = RunConfiguration()
            config.data = "spirals"
            config.syntheticCount = 1000
            config.model = "mlp"
            config.hidden = [64, 64]
            config.activation = "tanh"
            config.learningRate = 0.01
            config.batchSize = "64"
            config.epochs = epochs
            config.validationSplit = 0.2
            config.seed = seed
            let run = try TrainingRun(config)
            let directory = URL(fileURLWithPath: out)
            if Checkpoint.exists(in: directory) {
                try FileManager.default.removeItem(at: directory)   // the demo always starts over
            }
            if !json {
                print("Nabla demo: an MLP learns to separate two interleaved spirals.")
                print(run.model.summary(inputShape: run.sampleShape))
            }
            let progress = QuietProgress(epochs: epochs, every: Swift.max(epochs / 10, 1))
            let result = try run.fit(outputDirectory: directory, callbacks: json ? [] : [progress],
                                     checkpointInterval: Swift.max(epochs / 5, 1))
            if json {
                print(try jsonLine(result))
            } else {
                print("validation accuracy \(String(format: "%.4f", result.validationAccuracy ?? 0)) in \(String(format: "%.1f", result.seconds)) s")
                print("run folder: \(directory.path) — open \(directory.appendingPathComponent("report.html").path) to see the plots")
            }
        }
    }
}

/// Prints one summary line every `every` epochs (the demo's epochs are short).
final class QuietProgress: TrainingCallback {
    let epochs: Int, every: Int
    init(epochs: Int, every: Int) {
        self.epochs = epochs
        self.every = every
    }
    func epochDidEnd(_ record: EpochRecord) {
        if record.epoch % every == 0 || record.epoch == epochs { print(ConsoleProgress.summaryLine(record, epochs: epochs)) }
    }
    func trainingDidWarn(_ message: String) { print("warning: \(message)") }
}
