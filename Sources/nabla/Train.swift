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
    @Flag(help: "Continue the run in --out up to the total --epochs.") var resume = false
    @Flag(help: "Print one final JSON object instead of progress.") var json = false

    func run() throws {
        try reportingErrors {
            let config = try options.configuration()
            let run = try TrainingRun(config)
            let directory = URL(fileURLWithPath: out)
            try run.prepareOutput(directory, resume: resume)
            if !json {
                print(run.model.summary(inputShape: run.sampleShape))
                print("training on \(run.trainer.train.dataset.count) samples"
                      + (run.validationSet.map { ", validating on \($0.count)" } ?? "") + "; writing \(directory.path)")
            }
            let callbacks: [TrainingCallback] = json ? [] : [ConsoleProgress(epochs: config.epochs)]
            let result = try run.fit(outputDirectory: directory, resume: resume, callbacks: callbacks)
            if json {
                print(try jsonLine(result))
            } else {
                if let a = result.testAccuracy { print("test accuracy \(String(format: "%.4f", a)), test loss \(String(format: "%.4f", result.testLoss!))") }
                print("stopped: \(result.stopReason)")
                print("run folder: \(directory.path) (open \(directory.appendingPathComponent("report.html").path))")
            }
        }
    }
}

/// The options shared by `train` and `demo`, mapped onto `RunConfiguration`.
struct TrainOptions: ParsableArguments {
    @Option(help: "fashion-mnist, mnist, csv:PATH, npy:X_PATH,Y_PATH, spirals, moons, xor, linear or sine.")
    var data = "fashion-mnist"
    @Option(help: "Folder with the IDX files (default: /usr/share/datasets/fashion-mnist, then ~/.cache/nabla).")
    var dataDir: String?
    @Option(help: "CSV label column, negative from the end (default: last).") var labelColumn: Int?
    @Flag(help: "Standardize CSV/NPY features per column.") var standardize = false
    @Option(help: "Fraction of the training set held out for validation.") var valSplit = 0.1
    @Flag(help: "Random crops and flips of image batches.") var augment = false

    @Option(help: "A preset (linear, mlp, cnn, resnet, lstm) or a JSON/YAML model spec file (`nabla layers` lists its layers).")
    var model = "mlp"
    @Option(help: "Hidden layer sizes for presets, e.g. 256,128.") var hidden: String?
    @Option(help: "The presets' activation: \(Activation.choices).") var activation = "relu"
    @Option(help: "Dropout probability in presets.") var dropout: Float = 0
    @Flag(help: "BatchNorm in presets.") var batchNorm = false
    @Option(help: "Weight init: \(Initializer.names.joined(separator: ", ")).") var `init`: String?
    @Option(help: "A safetensors file (from Nabla or PyTorch) with initial weights.") var pretrained: String?

    @Option(help: "cross-entropy or hinge (classification); mse, mae, rmse, huber, smooth-l1 (regression).") var loss: String?
    @Option(help: "Label smoothing for cross-entropy.") var labelSmoothing: Float = 0
    @Option(help: "sgd, momentum, nesterov, adagrad, rmsprop, adam or adamw.") var optimizer = "adam"
    @Option(help: "Learning rate.") var lr = 1e-3
    @Option(help: "Momentum for sgd variants.") var momentum = 0.9
    @Option(help: "Adam's beta1.") var beta1 = 0.9
    @Option(help: "Adam's beta2.") var beta2 = 0.999
    @Option(help: "none, step, exponential, cosine, warmup or plateau.") var lrSchedule = "none"
    @Option(help: "Epochs between step decays.") var lrStep = 10
    @Option(help: "Decay factor for step, exponential and plateau schedules.") var lrGamma = 0.1
    @Option(help: "Samples per batch: 1 is SGD, 'all' is batch gradient descent.") var batchSize = "128"
    @Option(help: "Total epochs.") var epochs = 5
    @Option(help: "Stop after this many optimizer steps.") var maxSteps: Int?
    @Option(help: "Weight decay passed to the optimizer.") var weightDecay = 0.0
    @Option(help: "L1 penalty λΣ|w| added to the loss.") var l1 = 0.0
    @Option(help: "L2 penalty λΣw² added to the loss.") var l2 = 0.0
    @Option(help: "Clip the global gradient norm.") var clipNorm: Double?
    @Option(help: "Early stopping patience in epochs (needs --val-split > 0).") var earlyStop: Int?
    @Option(help: "Minimum improvement for early stopping.") var minDelta = 0.0
    @Option(help: "Stop when the gradient norm falls below this.") var gradTol: Double?
    @Option(help: "Stop when the epoch loss changes by less than this.") var lossTol: Double?
    @Option(help: "Random seed.") var seed: UInt64 = 0

    func configuration() throws -> RunConfiguration {
        var c = RunConfiguration()
        c.data = data
        c.dataDirectory = dataDir
        c.labelColumn = labelColumn
        c.standardize = standardize
        c.validationSplit = valSplit
        c.augment = augment
        c.model = model
        c.hidden = try hidden.map(Self.parseSizes)
        c.activation = activation
        c.dropout = dropout
        c.batchNorm = batchNorm
        c.initializer = `init`
        c.pretrained = pretrained
        c.loss = loss
        c.labelSmoothing = labelSmoothing
        c.optimizer = optimizer
        c.learningRate = lr
        c.momentum = momentum
        c.beta1 = beta1
        c.beta2 = beta2
        c.lrSchedule = lrSchedule
        c.lrStepSize = lrStep
        c.lrGamma = lrGamma
        c.batchSize = batchSize
        c.epochs = epochs
        c.maxSteps = maxSteps
        c.weightDecay = weightDecay
        c.l1 = l1
        c.l2 = l2
        c.clipNorm = clipNorm
        c.earlyStopPatience = earlyStop
        c.minDelta = minDelta
        c.gradientTolerance = gradTol
        c.lossTolerance = lossTol
        c.seed = seed
        return c
    }

    static func parseSizes(_ text: String) throws -> [Int] {
        let sizes = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !sizes.isEmpty, sizes.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw ConfigurationError("--hidden \(text): expected positive sizes separated by commas, e.g. 256,128")
        }
        return sizes.map { $0! }
    }
}

/// Runs `body`, turning any error into one line on standard error and a non-zero exit code.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ExitCode {
        throw error
    } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        throw ExitCode.failure
    }
}

/// One JSON line with sorted keys.
func jsonLine<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
