import Foundation
import NablaCore
import NablaBackend

/// A training checkpoint: one `CheckpointFolder` snapshot holding
/// - `model.safetensors`: the model's state dict with PyTorch's names (loads with
///   `model.load_state_dict(safetensors.torch.load_file(path))`);
/// - `optimizer.safetensors`: the optimizer's state dict;
/// - `trainer.json`: progress (down to the step, when training was interrupted mid-epoch),
///   history, scheduler and early-stopping state, and the random generator;
/// - `best.safetensors`: the best weights so far, when early stopping restores them;
/// - any `Trainer.checkpointAttachments` (a run's `config.json` and `model.json`);
/// - `manifest.json`, written last: each file's size and SHA-256, and the data's fingerprint.
///
/// The snapshot becomes current in one rename, so a crash never leaves a checkpoint whose files
/// come from different moments, and loading checks every file against the manifest.
public enum Checkpoint {
    public static let modelFile = "model.safetensors"
    public static let optimizerFile = "optimizer.safetensors"
    public static let trainerFile = "trainer.json"
    public static let bestFile = "best.safetensors"

    /// Whether `directory` holds a checkpoint, intact or not, or the files of a run written by an
    /// earlier Nabla.
    public static func exists(in directory: URL) -> Bool {
        CheckpointFolder(directory).exists
            || FileManager.default.fileExists(atPath: directory.appendingPathComponent(trainerFile).path)
    }

    /// Loads model weights into `model`: from a `.safetensors` file, or from the checkpoint in a
    /// folder, checked against its manifest.
    public static func loadWeights(into model: Module, from url: URL) throws {
        guard url.pathExtension != "safetensors" else {
            try model.loadStateDict(Safetensors.read(contentsOf: url).tensors)
            return
        }
        let checkpoint = try CheckpointFolder(url).read()
        let file = checkpoint.url(modelFile).path
        try model.loadStateDict(Safetensors.read(data: checkpoint.data(modelFile), name: file).tensors)
    }
}

/// A checkpoint, or a file of one, that cannot be used: names the file, the problem and the fix.
public struct CheckpointError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var problem: String
    public var description: String { "\(path): \(problem)" }

    /// ```swift
    /// throw CheckpointError(path: "runs/mlp/checkpoint/model.safetensors", problem: "missing")
    /// ```
    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    /// The end of a problem in a run folder that no run could have written: the fix.
    public static let damagedHint = "; the run folder was damaged or edited: restore it from a copy, or train the run again"

    /// An error's text on one line, for the parenthesis after a problem: a decoding error as the
    /// field's path and what is wrong with it.
    public static func brief(_ error: Error) -> String {
        if let decoding = error as? DecodingError {
            switch decoding {
            case .dataCorrupted(let context), .keyNotFound(_, let context), .typeMismatch(_, let context), .valueNotFound(_, let context):
                let path = context.codingPath.map(\.stringValue).joined(separator: ".")
                return (path.isEmpty ? "" : path + ": ") + context.debugDescription
            @unknown default:
                return "\(decoding)"
            }
        }
        return "\(error)".replacingOccurrences(of: "\n", with: " ")
    }
}
