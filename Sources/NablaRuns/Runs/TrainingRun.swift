import Foundation
import NablaLibrary
import NablaCore
import NablaBackend

/// A complete training run as `nabla train` performs it: data, model, objective, optimizer and the
/// run folder (`config.json`, checkpoints, `metrics.csv`, plots and `report.html`).
///
/// Everything is checked before anything is written: a bad option, a missing data folder or a model
/// whose shapes do not fit the data throws without touching the output folder.
public final class TrainingRun {
    public let config: RunConfiguration
    public let source: DataSource
    public let data: LoadedData
    public let model: Module
    public let trainer: Trainer
    public let validationSet: (any Dataset)?
    /// The optimizer's kind and settings, defaults filled in.
    public let optimizerSettings: OptimizerSettings
    /// The job this run is spread over (see `distribute(over:)`), or nil in a single process.
    public internal(set) var group: ProcessGroup?
    /// Each sample's input shape, with a leading batch dimension of 1.
    public var sampleShape: [Int] { [1] + data.inputShape }

    public init(_ config: RunConfiguration) throws {
        self.config = config
        try config.validate()
        optimizerSettings = try config.optimizerSettings()
        source = try DataSource.parse(config.data)
        var raw = try source.load(options: config.dataOptions())
        if let testData = config.testData { raw.test = try Self.loadTest(testData, like: raw, config) }
        raw = try Self.expanded(raw, config)
        data = config.standardize ? Self.standardized(raw, config) : raw
        try Self.checkTargets(config, data)
        try Self.checkText(config, data)
        Random.seed(config.seed)
        model = try Self.buildModel(config, inputShape: data.inputShape, outputs: data.outputs)
        if let name = config.initializer { model.initializeWeights(try Initializer.named(name)) }
        if let path = config.pretrained { try Checkpoint.loadWeights(into: model, from: URL(fileURLWithPath: path)) }

        let train: any Dataset
        if let fixed = data.validation {
            (train, validationSet) = (data.train, fixed)
        } else if config.validationSplit > 0 {
            let (t, v) = trainValidationSplit(data.train, validationFraction: config.validationSplit, seed: config.seed &+ 1)
            (train, validationSet) = (t, v)
        } else {
            (train, validationSet) = (data.train, nil)
        }
        let batchSize = try config.resolvedBatchSize()
        let augmentation = try Self.augmentation(config, data: data)
        // Batch normalisation needs more than one sample per batch in training.
        let hasBatchNorm = model.modules().contains { $0.1 is BatchNorm }
        if hasBatchNorm, batchSize.resolved(count: train.count) < 2 {
            throw ConfigurationError("\(setting: .batchSize) 1: the model has batch normalisation, which needs at least 2 samples per batch")
        }
        try Self.checkAccumulation(config, batchSize: batchSize.resolved(count: train.count), batchNorm: hasBatchNorm)
        // With batch normalisation every micro-batch needs 2 samples: a shorter last batch is dropped.
        let microSteps = Swift.max(1, config.accumulationSteps ?? Hyperparameters.accumulationSteps.defaultValue)
        let trainLoader = DataLoader(train, batchSize: batchSize, shuffle: true, minLastBatch: hasBatchNorm ? 2 * microSteps : 1,
                                     seed: config.seed &+ 2, augmentation: augmentation,
                                     samplesPerEpoch: try Self.randomSamplesPerEpoch(config, data, train))
        let validationLoader = validationSet.map { DataLoader($0, batchSize: 1000) }
        let optimizer = try optimizerSettings.makeOptimizer(model.parameters)
        trainer = Trainer(model: model, loss: try config.makeLoss(task: data.task, classes: data.outputs), optimizer: optimizer, train: trainLoader,
                          validation: validationLoader, task: data.task, classes: data.task == .regression ? 0 : data.outputs)
        try configure(trainer, optimizer)
    }

    /// Sets the trainer's schedule (from the loader's steps per epoch), stop criteria and limits from `config`.
    func configure(_ trainer: Trainer, _ optimizer: Optimizer) throws {
        let stepsPerEpoch = trainer.train.batchesPerEpoch
        (trainer.schedule, trainer.plateau) = try config.makeSchedule(optimizer, stepsPerEpoch: stepsPerEpoch,
                                                                      totalSteps: config.totalSteps(stepsPerEpoch: stepsPerEpoch))
        trainer.accumulationSteps = config.accumulationSteps ?? Hyperparameters.accumulationSteps.defaultValue
        trainer.evaluationInterval = config.evalEvery
        trainer.stop = StopCriteria(maxEpochs: config.epochs, maxSteps: config.maxSteps, minLossChange: config.lossTolerance,
                                    minGradientNorm: config.gradientTolerance,
                                    earlyStopping: try config.earlyStopPatience.map { patience in
                                        guard validationSet != nil else {
                                            throw ConfigurationError("\(setting: .earlyStopPatience) needs a validation set; set \(setting: .validationSplit) above 0")
                                        }
                                        return EarlyStopping(patience: patience, minDelta: config.minDelta)
                                    })
        trainer.clipNorm = config.clipNorm
        trainer.clipValue = config.clipValue
        trainer.explodingThreshold = config.explodingThreshold
        trainer.divergenceFactor = config.divergenceFactor ?? Hyperparameters.divergenceFactor.defaultValue
        trainer.divergenceSteps = config.divergenceSteps ?? Hyperparameters.divergenceSteps.defaultValue
        let (l1, l2) = (Float(config.l1), Float(config.l2))
        if l1 > 0 || l2 > 0 {
            trainer.penalty = { module in
                var total = Tensor(0)
                if l1 > 0 { total = total + l1Penalty(module, lambda: l1) }
                if l2 > 0 { total = total + l2Penalty(module, lambda: l2) }
                return total
            }
        }
        if data.task == .classification && data.outputs > config.topK && config.topK > 1 { trainer.topK = [config.topK] }
    }

    /// Builds the preset or spec, and checks that it maps the data's inputs to its outputs.
    static func buildModel(_ config: RunConfiguration, inputShape: [Int], outputs: Int) throws -> Module {
        let model: Module
        if let preset = ModelPreset(rawValue: config.model.lowercased()) {
            var options = PresetOptions(hidden: config.hidden, activation: try config.resolvedActivation(),
                                        dropout: config.dropout, batchNorm: config.batchNorm)
            (options.layers, options.heads, options.embed, _) = config.resolvedTransformer
            model = try preset.build(inputShape: inputShape, outputs: outputs, options: options)
        } else if ModelSpec.Format(pathExtension: (config.model as NSString).pathExtension) != nil {
            let spec = try ModelSpec.load(contentsOf: URL(fileURLWithPath: config.model))
            guard spec.inputShape == inputShape else {
                throw ConfigurationError("\(config.model): the spec's input is \(spec.inputShape) but \(config.data) gives \(inputShape)")
            }
            model = try spec.build(outputs: outputs)
        } else {
            let presets = ModelPreset.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigurationError("\(setting: .model) \(config.model): not a preset (\(presets)) nor a .json/.yaml model spec file")
        }
        if let model = model as? LanguageModel { return try checkLanguageModel(model, config, inputShape: inputShape) }
        let output: [Int]
        do {
            output = try model.outputShape(for: [1] + inputShape)
        } catch {
            throw ConfigurationError("\(config.model): \(error)")
        }
        guard output == [1, outputs] else {
            throw ConfigurationError("\(config.model): the model gives outputs \(output) per sample but \(config.data) needs [1, \(outputs)]")
        }
        return model
    }

    static func augmentation(_ config: RunConfiguration, data: LoadedData) throws -> (any Augmentation)? {
        var transforms: [any Augmentation] = []
        if config.augment {
            guard data.inputShape.count == 3, let augmentation = try DataSource.parse(config.data).augmentation(imageSize: data.inputShape[1]) else {
                throw ConfigurationError("\(setting: .augment) works on images; \(config.data) gives samples of shape \(data.inputShape)")
            }
            transforms.append(augmentation)
        }
        if let degrees = config.rotation {
            guard data.inputShape.count == 3 else {
                throw ConfigurationError("\(setting: .rotation) works on images; \(config.data) gives samples of shape \(data.inputShape)")
            }
            transforms.append(RandomRotation(degrees: degrees))
        }
        return transforms.isEmpty ? nil : transforms.count == 1 ? transforms[0] : Compose(transforms)
    }

    /// Losses defined only on part of the line need every target inside it: a target is data, and
    /// data outside the loss's domain is the user's to fix before training starts.
    static func checkTargets(_ config: RunConfiguration, _ data: LoadedData) throws {
        guard config.loss == "msle", let lowest = data.train.batch(0..<data.train.count).targets.scalars.min(), lowest <= -1 else { return }
        throw ConfigurationError("\(setting: .loss) msle needs targets greater than -1, and the data has \(lowest); use mse, or shift the targets")
    }

    /// The data with its features standardized by statistics of the training split alone, so that
    /// nothing of the validation rows leaks into training; the same split is drawn again below.
    static func standardized(_ data: LoadedData, _ config: RunConfiguration) -> LoadedData {
        let all = data.train.batch(0..<data.train.count)
        let trainRows = config.validationSplit > 0
            ? trainValidationSplit(data.train, validationFraction: config.validationSplit, seed: config.seed &+ 1).train.indices
            : Array(0..<data.train.count)
        let standardizer = Standardizer.fit(data.train.batch(trainRows).inputs)
        var result = data
        result.train = TensorDataset(inputs: standardizer.transform(all.inputs), targets: all.targets)
        if let test = data.test {
            let rows = test.batch(0..<test.count)
            result.test = TensorDataset(inputs: standardizer.transform(rows.inputs), targets: rows.targets)
        }
        result.standardizer = standardizer
        return result
    }

    /// The held-out test file of a `csv:` or `npy:` run, read as the training data was: the same
    /// task, label column and sample shape.
    static func loadTest(_ name: String, like train: LoadedData, _ config: RunConfiguration) throws -> any Dataset {
        let source = try DataSource.parse(name)
        switch source {
        case .csv, .npy: break
        case .fashionMNIST, .mnist, .text, .spirals, .moons, .circles, .xor, .linear, .sine:
            throw ConfigurationError("\(setting: .testData) \(name): a test file is for csv: or npy: data; \(source) brings its own test split or none")
        }
        var options = DataOptions(labelColumn: config.labelColumn, task: train.task)
        options.classNames = train.classNames
        let test = try source.load(options: options)
        guard test.inputShape == train.inputShape, test.task == train.task,
              train.task == .regression || test.outputs <= train.outputs else {
            throw ConfigurationError("\(setting: .testData) \(name): samples \(test.inputShape) (\(test.outputs) outputs) do not match the training data's \(train.inputShape) (\(train.outputs))")
        }
        return test.train
    }

    /// Each micro-batch needs a sample, and two under batch normalisation.
    /// Whether the model normalises with batch statistics (BatchNorm), which need 2 samples per batch.
    var hasBatchNorm: Bool { model.modules().contains { $0.1 is BatchNorm } }

    /// The micro-steps each batch is split into (`accumulationSteps`).
    var microSteps: Int { Swift.max(1, config.accumulationSteps ?? Hyperparameters.accumulationSteps.defaultValue) }

    static func checkAccumulation(_ config: RunConfiguration, batchSize: Int, batchNorm: Bool) throws {
        guard let steps = config.accumulationSteps, steps > 1 else { return }
        let smallest = batchSize / steps
        if smallest < (batchNorm ? 2 : 1) {
            throw ConfigurationError("""
                \(setting: .accumulationSteps) \(steps) splits batches of \(batchSize) into micro-batches of \(smallest) \
                sample\(smallest == 1 ? "" : "s")\(batchNorm ? ", and batch normalisation needs 2" : ""); raise \(setting: .batchSize) or lower \(setting: .accumulationSteps)
                """)
        }
    }
}
