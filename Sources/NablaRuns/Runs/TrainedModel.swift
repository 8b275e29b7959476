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

    /// Rebuilds the model from `config.json` and `model.json` and loads `model.safetensors`.
    public static func load(from directory: URL) throws -> TrainedModel {
        func decode<T: Decodable>(_ type: T.Type, _ name: String) throws -> T {
            let url = directory.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw CheckpointError(path: directory.path, problem: "no \(name) here; is this a run folder written by `nabla train`?")
            }
            do {
                return try JSONDecoder().decode(type, from: AtomicFile.read(url))
            } catch let error as FileError {
                throw error
            } catch {
                throw CheckpointError(path: url.path, problem: "cannot be read (\(error))")
            }
        }
        let config = try decode(RunConfiguration.self, TrainingRun.configFile)
        let info = try decode(ModelInfo.self, ModelInfo.file)
        let model = try TrainingRun.buildModel(config, inputShape: info.inputShape, outputs: info.outputs)
        try Checkpoint.loadWeights(into: model, from: directory)
        model.eval()
        return TrainedModel(model: model, config: config, info: info)
    }

    /// Class probabilities (softmax of the logits divided by `temperature`) for classification, or the
    /// predicted values for regression. `inputs` has a leading batch dimension.
    public func predict(_ inputs: Tensor, temperature: Float = 1) -> Tensor {
        let x = info.standardizer?.transform(inputs) ?? inputs
        return withNoGrad {
            let out = model(x)
            return info.task == .classification ? out.softmax(axis: -1, temperature: temperature) : out
        }
    }

    /// Checks that `inputs` has this model's per-sample shape.
    public func validate(_ inputs: Tensor, source: String) throws {
        guard Array(inputs.shape.dropFirst()) == info.inputShape else {
            throw DataError("\(source): samples of shape \(Array(inputs.shape.dropFirst())) but the model takes \(info.inputShape)")
        }
    }
}
