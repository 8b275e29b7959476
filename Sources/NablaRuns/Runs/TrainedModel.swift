import Foundation
import NablaLibrary
import NablaCore
import NablaBackend

/// What a run folder records about its model's inputs and outputs (`model.json`).
public struct ModelInfo: Codable, Sendable, Equatable {
    public static let file = "model.json"
    /// One sample's shape.
    public var inputShape: [Int]
    public var outputs: Int
    public var task: Task
    public var classNames: [String]
    /// Feature standardization fitted at training time, applied again before predicting.
    public var standardizer: Standardizer?
    /// The polynomial expansion of the features, applied before `standardizer`; `inputShape` is
    /// then the expanded shape, and a sample as the user gives it has `polynomial.inputFeatures` features.
    public var polynomial: PolynomialFeatures?

    /// One sample's shape as the data gives it, before any expansion.
    public var sampleShape: [Int] { polynomial.map { [$0.inputFeatures] } ?? inputShape }

    /// `inputs` (samples of `sampleShape`) as the model takes them: expanded, then standardized.
    public func prepare(_ inputs: Tensor) -> Tensor {
        let expanded = polynomial?.transform(inputs) ?? inputs
        return standardizer?.transform(expanded) ?? expanded
    }
}

/// A trained model loaded back from a run folder, for evaluation and prediction.
///
/// ```swift
/// let trained = try TrainedModel.load(from: URL(fileURLWithPath: "runs/cnn"))
/// let probabilities = trained.predict(images)   // [N, classes]
/// ```
public struct TrainedModel {
    public let model: Module
    public let config: RunConfiguration
    public let info: ModelInfo
    /// The characters of a text run (its `vocab.json`), or `nil` for other data.
    public var vocabulary: Vocabulary? = nil

    /// Rebuilds the model from the checkpoint's `config.json` and `model.json` and loads its
    /// `model.safetensors`. Every file is checked against the checkpoint's manifest, and every
    /// field against what a run can write, before anything is built.
    ///
    /// - Throws: `CheckpointError` naming the file, and the field, that cannot be used.
    public static func load(from directory: URL) throws -> TrainedModel {
        let checkpoint = try CheckpointFolder(directory).read()
        let config = try decode(RunConfiguration.self, TrainingRun.configFile, checkpoint)
        let info = try decode(ModelInfo.self, ModelInfo.file, checkpoint)
        try info.validate(path: checkpoint.url(ModelInfo.file).path)
        let model: Module
        do {
            try config.validate()
            _ = try DataSource.parse(config.data)
            _ = try config.makeLoss(task: info.task, classes: info.outputs)
            model = try TrainingRun.buildModel(config, inputShape: info.inputShape, outputs: info.outputs)
        } catch let error as SettingNaming {
            throw CheckpointError(path: checkpoint.url(TrainingRun.configFile).path,
                                  problem: error.message.description + CheckpointError.damagedHint)
        }
        let weights = checkpoint.url(Checkpoint.modelFile).path
        try model.loadStateDict(Safetensors.read(data: checkpoint.data(Checkpoint.modelFile), name: weights).tensors)
        model.eval()
        let vocabulary = checkpoint.contains(Vocabulary.file) ? try decode(Vocabulary.self, Vocabulary.file, checkpoint) : nil
        if info.task == .languageModeling, vocabulary?.count != info.outputs {
            throw CheckpointError(path: checkpoint.url(Vocabulary.file).path,
                                  problem: "expected the vocabulary of \(info.outputs) characters of this language model" + CheckpointError.damagedHint)
        }
        return TrainedModel(model: model, config: config, info: info, vocabulary: vocabulary)
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ name: String, _ checkpoint: CheckpointContents) throws -> T {
        guard checkpoint.contains(name) else {
            throw CheckpointError(path: checkpoint.url(name).path,
                                  problem: "missing: this checkpoint holds no \(name), so it is not a run folder's that TrainingRun.fit wrote")
        }
        do {
            return try JSONDecoder().decode(type, from: checkpoint.data(name))
        } catch {
            throw CheckpointError(path: checkpoint.url(name).path, problem: "cannot be read (\(CheckpointError.brief(error)))"
                                  + CheckpointError.damagedHint)
        }
    }

    /// Class probabilities (softmax of the logits divided by `temperature`) for classification, or the
    /// predicted values for regression. `inputs` has a leading batch dimension.
    public func predict(_ inputs: Tensor, temperature: Float = 1) -> Tensor {
        let x = info.prepare(inputs)
        return withNoGrad {
            let out = model(x)
            return info.task == .classification ? out.softmax(axis: -1, temperature: temperature) : out
        }
    }

    /// Checks that `inputs` has this model's per-sample shape.
    public func validate(_ inputs: Tensor, source: String) throws {
        guard Array(inputs.shape.dropFirst()) == info.sampleShape else {
            throw DataError("\(source): samples of shape \(Array(inputs.shape.dropFirst())) but the model takes \(info.sampleShape)")
        }
    }
}
