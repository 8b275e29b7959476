import Foundation
import NablaCore
import NablaBackend

/// A training checkpoint folder:
/// - `model.safetensors`: the model's state dict with PyTorch's names (loads with
///   `model.load_state_dict(safetensors.torch.load_file(path))`);
/// - `optimizer.safetensors`: the optimizer's state dict;
/// - `trainer.json`: progress, history, scheduler and early-stopping state, and the random generator;
/// - `best.safetensors`: the best weights so far, when early stopping restores them.
/// Every file is written atomically, so a crash never leaves a half-written checkpoint behind.
public enum Checkpoint {
    public static let modelFile = "model.safetensors"
    public static let optimizerFile = "optimizer.safetensors"
    public static let trainerFile = "trainer.json"
    public static let bestFile = "best.safetensors"

    /// Whether `directory` holds a checkpoint.
    public static func exists(in directory: URL) -> Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent(trainerFile).path)
            && FileManager.default.fileExists(atPath: directory.appendingPathComponent(modelFile).path)
    }

    /// Loads the model weights saved in `directory` (or a `.safetensors` file) into `model`.
    public static func loadWeights(into model: Module, from url: URL) throws {
        let file = url.pathExtension == "safetensors" ? url : url.appendingPathComponent(modelFile)
        try model.loadStateDict(Safetensors.read(contentsOf: file).tensors)
    }
}

/// The part of a checkpoint that is not tensors.
package struct TrainerState: Codable {
    var epoch: Int
    var globalStep: Int
    var history: TrainingHistory
    var earlyStopping: EarlyStoppingState
    var generator: [UInt64]
    var scheduler: [String: Double]?
    var plateau: [String: Double]?
    /// The learning rate to continue with, exactly: the one record of it that `resume` reads.
    var learningRate: Double
}

/// A checkpoint that cannot be used.
public struct CheckpointError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var problem: String
    public var description: String { "\(path): \(problem)" }

    /// ```swift
    /// throw CheckpointError(path: "runs/mlp/model.safetensors", problem: "missing")
    /// ```
    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }
}

extension Trainer {
    /// Writes the model, optimizer and progress to `directory` (created if needed).
    public func saveCheckpoint(to directory: URL) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw FileError(path: directory.path, operation: "create", reason: error.localizedDescription)
        }
        try Safetensors.write(model.stateDict(), metadata: ["format": "pt"], to: directory.appendingPathComponent(Checkpoint.modelFile))
        try Safetensors.write(optimizer.stateDict(), to: directory.appendingPathComponent(Checkpoint.optimizerFile))
        if let bestWeights {
            try Safetensors.write(bestWeights, metadata: ["format": "pt"], to: directory.appendingPathComponent(Checkpoint.bestFile))
        }
        let state = TrainerState(epoch: epoch, globalStep: globalStep, history: history, earlyStopping: earlyStopping,
                                 generator: Random.generator.state, scheduler: scheduler?.stateDict(),
                                 plateau: plateau?.stateDict(), learningRate: optimizer.learningRate)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try AtomicFile.write(try encoder.encode(state), to: directory.appendingPathComponent(Checkpoint.trainerFile))
    }

    /// Restores everything `saveCheckpoint` wrote, so that `fit()` continues exactly where the saved
    /// run stopped: training the remaining epochs gives bit-identical parameters to an uninterrupted run.
    ///
    /// The learning rate comes from `trainer.json` alone, as a double; it replaces the rate the
    /// optimizer and the schedule were created with. (`optimizer.safetensors` holds a Float32 copy,
    /// `param_groups.0.lr`, for other readers.)
    public func resume(from directory: URL) throws {
        let stateURL = directory.appendingPathComponent(Checkpoint.trainerFile)
        guard Checkpoint.exists(in: directory) else {
            throw CheckpointError(path: directory.path, problem: "no checkpoint here (expected \(Checkpoint.modelFile) and \(Checkpoint.trainerFile)); write one with saveCheckpoint(to:) first")
        }
        let state: TrainerState
        do {
            let decoder = JSONDecoder()
            decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            state = try decoder.decode(TrainerState.self, from: AtomicFile.read(stateURL))
        } catch let error as FileError {
            throw error
        } catch {
            throw CheckpointError(path: stateURL.path, problem: "not a valid trainer state (\(error))")
        }
        guard let generator = Generator(state: state.generator) else {
            throw CheckpointError(path: stateURL.path, problem: "invalid random generator state")
        }
        try Checkpoint.loadWeights(into: model, from: directory)
        var optimizerState = try Safetensors.read(contentsOf: directory.appendingPathComponent(Checkpoint.optimizerFile)).tensors
        optimizerState[Optimizer.learningRateKey] = nil
        try optimizer.loadStateDict(optimizerState)
        let bestURL = directory.appendingPathComponent(Checkpoint.bestFile)
        bestWeights = FileManager.default.fileExists(atPath: bestURL.path) ? try Safetensors.read(contentsOf: bestURL).tensors : nil
        if let saved = state.scheduler { try scheduler?.loadStateDict(saved) }
        if let saved = state.plateau { try plateau?.loadStateDict(saved) }
        optimizer.learningRate = state.learningRate   // the one write of the rate on resume
        epoch = state.epoch
        globalStep = state.globalStep
        history = state.history
        earlyStopping = state.earlyStopping
        Random.generator = generator
    }
}
