import ArgumentParser
import Foundation
import Nabla

/// The options of `train`, mapped onto `RunConfiguration`. Hyper-parameters take their defaults and
/// help from `Hyperparameters`; an option left out leaves the library's default in place.
struct TrainOptions: ParsableArguments {
    @Option(help: "\(listed(DataSource.names)).") var data = "fashion-mnist"
    @Option(help: "Folder with the IDX files (default: \(DataSource.defaultFolders)).")
    var dataDir: String?
    @Option(parsing: .unconditional, help: "CSV label column, negative from the end (default: last).") var labelColumn: Int?
    @Flag(help: "Standardize CSV/NPY features per column.") var standardize = false
    @Option(help: "A held-out test file for csv:/npy: data, in the same format (csv:PATH or npy:X,Y).") var testData: String?
    @Option(help: "classification or regression for CSV/NPY labels (default: classification only for labels 0…K−1 or ±1 with every class present and K ≤ rows/10).")
    var task: Task?
    @Option(parsing: .unconditional, help: recipeHelp(Hyperparameters.validationSplit.help, otherwise: "\(Hyperparameters.validationSplit.defaultValue)")) var valSplit: Double?
    @Flag(help: "Random crops and flips of image batches.") var augment = false
    @Option(name: .customLong("poly-features"), parsing: .unconditional, help: Hyperparameters.polyFeatures.help) var polyFeatures: Int?

    @Option(help: "A preset (linear, mlp, cnn, resnet, lstm, gpt) or a JSON/YAML model spec file (`nabla layers` lists its layers).") var model = "mlp"
    @Option(help: "Hidden layer sizes for presets, e.g. 256,128.") var hidden: String?
    @Option(help: "The presets' activation: \(Activation.choices).") var activation = "relu"
    @Option(parsing: .unconditional, help: Hyperparameters.dropout.help) var dropout = Hyperparameters.dropout.defaultValue
    @Flag(help: "BatchNorm in presets.") var batchNorm = false
    @Flag(help: "Under mpirun: BatchNorm layers normalize over the whole global batch, all ranks together, as PyTorch's SyncBatchNorm (default: each rank's own shard). Changes nothing in one process or for a model without BatchNorm.")
    var syncBatchNorm = false
    @Option(help: "Weight init: \(Initializer.names.joined(separator: ", ")).") var `init`: String?
    @Option(help: "A safetensors file (from Nabla or PyTorch) with initial weights.") var pretrained: String?
    @Option(parsing: .unconditional, help: Hyperparameters.layers.help) var layers = Hyperparameters.layers.defaultValue
    @Option(parsing: .unconditional, help: Hyperparameters.heads.help) var heads = Hyperparameters.heads.defaultValue
    @Option(parsing: .unconditional, help: Hyperparameters.embed.help) var embed = Hyperparameters.embed.defaultValue
    @Option(parsing: .unconditional, help: Hyperparameters.blockSize.help) var blockSize = Hyperparameters.blockSize.defaultValue

    @Option(help: "cross-entropy, hinge (two classes, ±1) or multi-margin (classification); mse, mae, rmse, msle, huber, smooth-l1 (regression).") var loss: String?
    @Option(parsing: .unconditional, help: recipeHelp(Hyperparameters.labelSmoothing.help, otherwise: "\(Hyperparameters.labelSmoothing.defaultValue)")) var labelSmoothing: Float?
    @Option(help: recipeHelp("\(listed(OptimizerKind.names)).", otherwise: TrainingRecipe.standard.optimizer.rawValue)) var optimizer: String?
    @Option(parsing: .unconditional, help: recipeHelp(Hyperparameters.learningRate.help)) var lr: Double?
    @Option(parsing: .unconditional, help: Hyperparameters.momentum.help) var momentum: Double?
    @Option(parsing: .unconditional, help: Hyperparameters.beta1.help) var beta1 = Hyperparameters.beta1.defaultValue
    @Option(parsing: .unconditional, help: Hyperparameters.beta2.help) var beta2 = Hyperparameters.beta2.defaultValue
    @Option(help: recipeHelp("\(listed(RunConfiguration.scheduleNames)).", otherwise: TrainingRecipe.standard.lrSchedule)) var lrSchedule: String?
    @Option(parsing: .unconditional, help: Hyperparameters.lrStepSize.help) var lrStep = Hyperparameters.lrStepSize.defaultValue
    @Option(parsing: .unconditional, help: Hyperparameters.lrGamma.help) var lrGamma = Hyperparameters.lrGamma.defaultValue
    @Option(help: recipeHelp(Hyperparameters.batchSize.help, otherwise: "\(Hyperparameters.batchSize.defaultValue)")) var batchSize: String?
    @Option(parsing: .unconditional, help: Hyperparameters.epochs.help) var epochs = Hyperparameters.epochs.defaultValue
    @Option(parsing: .unconditional, help: Hyperparameters.maxSteps.help) var maxSteps: Int?
    @Option(parsing: .unconditional, help: recipeHelp(Hyperparameters.weightDecay.help)) var weightDecay: Double?
    @Option(parsing: .unconditional, help: Hyperparameters.l1.help) var l1 = Hyperparameters.l1.defaultValue
    @Option(parsing: .unconditional, help: Hyperparameters.l2.help) var l2 = Hyperparameters.l2.defaultValue
    @Option(parsing: .unconditional, help: Hyperparameters.clipNorm.help) var clipNorm: Double?
    @Option(parsing: .unconditional, help: Hyperparameters.earlyStopPatience.help) var earlyStop: Int?
    @Option(parsing: .unconditional, help: Hyperparameters.minDelta.help) var minDelta = Hyperparameters.minDelta.defaultValue
    @Option(parsing: .unconditional, help: Hyperparameters.gradientTolerance.help) var gradTol: Double?
    @Option(parsing: .unconditional, help: Hyperparameters.lossTolerance.help) var lossTol: Double?
    @Option(parsing: .unconditional, help: Hyperparameters.seed.help) var seed = Hyperparameters.seed.defaultValue

    @Option(parsing: .unconditional, help: Hyperparameters.syntheticCount.help) var samples = Hyperparameters.syntheticCount.defaultValue
    @Option(parsing: .unconditional, help: Hyperparameters.huberDelta.help) var huberDelta = Hyperparameters.huberDelta.defaultValue
    @Option(parsing: .unconditional, help: Hyperparameters.eps.help) var eps: Double?
    @Option(parsing: .unconditional, help: recipeHelp(Hyperparameters.warmupEpochs.help)) var warmupEpochs: Int?
    @Option(parsing: .unconditional, help: Hyperparameters.plateauPatience.help)
    var plateauPatience = Hyperparameters.plateauPatience.defaultValue
    @Option(parsing: .unconditional, help: Hyperparameters.clipValue.help) var clipValue: Double?
    @Option(parsing: .unconditional, help: Hyperparameters.explodingThreshold.help)
    var explodingThreshold = Hyperparameters.explodingThreshold.defaultValue
    @Option(parsing: .unconditional, help: Hyperparameters.topK.help) var topK = Hyperparameters.topK.defaultValue
    @Option(parsing: .unconditional, help: "\(Hyperparameters.divergenceFactor.help) (default: \(Hyperparameters.divergenceFactor.defaultValue))")
    var divergenceFactor: Double?
    @Option(parsing: .unconditional, help: "\(Hyperparameters.divergenceSteps.help) (default: \(Hyperparameters.divergenceSteps.defaultValue))")
    var divergenceSteps: Int?
    @OptionGroup var loop: TrainingLoopOptions

    /// The run's settings: the model's recipe (`RunConfiguration(model:)`), with every option given on top.
    func configuration() throws -> RunConfiguration {
        var c = RunConfiguration(model: model)
        c.data = data
        c.dataDirectory = dataDir
        c.labelColumn = labelColumn
        c.standardize = standardize
        c.task = task
        c.testData = testData
        if let valSplit { c.validationSplit = valSplit }
        c.augment = augment
        c.polyFeatures = polyFeatures
        c.hidden = try hidden.map(Self.parseSizes)
        c.activation = activation
        c.dropout = dropout
        c.batchNorm = batchNorm
        c.syncBatchNorm = syncBatchNorm ? true : nil
        c.initializer = `init`
        c.pretrained = pretrained
        (c.layers, c.heads, c.embed, c.blockSize) = (layers, heads, embed, blockSize)
        c.loss = loss
        if let labelSmoothing { c.labelSmoothing = labelSmoothing }
        if let optimizer, optimizer != c.optimizer {
            // Another optimizer than the recipe's starts from its own defaults.
            (c.optimizer, c.learningRate, c.weightDecay) = (optimizer, nil, nil)
        }
        if let lr { c.learningRate = lr }
        c.momentum = momentum
        c.beta1 = beta1
        c.beta2 = beta2
        if let lrSchedule, lrSchedule != c.lrSchedule {
            // Another schedule than the recipe's comes without the recipe's warm-up and floor.
            (c.lrSchedule, c.warmupEpochs, c.minLearningRate) = (lrSchedule, nil, nil)
        }
        c.lrStepSize = lrStep
        c.lrGamma = lrGamma
        if let batchSize { c.batchSize = batchSize }
        c.epochs = epochs
        c.maxSteps = maxSteps
        if let weightDecay { c.weightDecay = weightDecay }
        c.l1 = l1
        c.l2 = l2
        c.clipNorm = clipNorm
        c.earlyStopPatience = earlyStop
        c.minDelta = minDelta
        c.gradientTolerance = gradTol
        c.lossTolerance = lossTol
        c.seed = seed
        c.syntheticCount = samples
        c.huberDelta = huberDelta
        c.eps = eps
        if let warmupEpochs { c.warmupEpochs = warmupEpochs }
        c.plateauPatience = plateauPatience
        c.clipValue = clipValue
        c.explodingThreshold = explodingThreshold
        c.topK = topK
        c.divergenceFactor = divergenceFactor
        c.divergenceSteps = divergenceSteps
        try loop.apply(to: &c)
        if warmupEpochs != nil, loop.warmupSteps != nil { c.warmupEpochs = warmupEpochs }   // both given: validation says so
        return c
    }

    static func parseSizes(_ text: String) throws -> [Int] {
        let sizes = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !sizes.isEmpty, sizes.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw ValidationError("--hidden \(text): expected positive sizes separated by commas, e.g. 256,128")
        }
        return sizes.map { $0! }
    }
}

/// `a, b or c` (or `a, b and c`).
func listed(_ names: [String], _ conjunction: String = "or") -> String {
    names.count < 2 ? names.joined() : names.dropLast().joined(separator: ", ") + " \(conjunction) " + names.last!
}

extension Hyperparameter {
    /// The option's help: the summary with settings named by their flags, and the defaults when they
    /// depend on the optimizer (ArgumentParser shows a single default itself).
    var help: ArgumentHelp {
        let summary = self.summary.commandLine
        guard !optimizerDefaults.isEmpty else { return ArgumentHelp(summary) }
        let kinds = OptimizerKind.allCases.filter { optimizerDefaults[$0] != nil }
        let groups = Dictionary(grouping: kinds) { "\(optimizerDefaults[$0]!)" }
        let special = groups.keys.sorted().map { value in "\(value) for \(listed(groups[value]!.map(\.rawValue), "and"))" }
        return ArgumentHelp("\(summary) (default: \(defaultValue); \(special.joined(separator: "; ")))")
    }
}

/// `help` with the note that a preset's recipe sets this option's default (see `TrainingRecipe`), and
/// the plain default, `otherwise`, that a spec file gets: a help that states its defaults keeps them.
func recipeHelp(_ help: ArgumentHelp, otherwise: String? = nil) -> ArgumentHelp {
    let recipe = "default: the preset's recipe, listed below; otherwise "
    if help.abstract.contains("(default: ") { return ArgumentHelp(help.abstract.replacingOccurrences(of: "(default: ", with: "(" + recipe)) }
    return ArgumentHelp("\(help.abstract) (\(recipe)\(otherwise ?? "none"))")
}
