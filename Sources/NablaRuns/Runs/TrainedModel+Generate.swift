import Foundation
import NablaLibrary
import NablaCore
import NablaBackend

/// Why a trained model cannot generate from a prompt.
public struct GenerationError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension TrainedModel {
    /// The language model and its vocabulary, or an error saying what the run trained instead.
    public func languageModel() throws -> (model: LanguageModel, vocabulary: Vocabulary) {
        guard let model = model as? LanguageModel, let vocabulary, info.task == .languageModeling else {
            throw GenerationError("the run trained \(config.model) for \(info.task.rawValue) on \(config.data), not a language model; "
                                  + "generate from a run of the gpt model on text:PATH data")
        }
        return (model, vocabulary)
    }

    /// Continues `prompt` by `count` characters drawn by `sampling`, calling `onText` with each
    /// character as it is produced; returns the characters produced. The same `seed` gives the same
    /// text. A prompt longer than the block size is read by its last block.
    ///
    /// ```swift
    /// let trained = try TrainedModel.load(from: URL(fileURLWithPath: "runs/fortunes"))
    /// try trained.generate(prompt: "The ", count: 200, sampling: Sampler(temperature: 0.8), seed: 1) { print($0, terminator: "") }
    /// ```
    ///
    /// - Throws: `GenerationError` when the run is not a language model, `VocabularyError` naming a
    ///   prompt character outside the vocabulary.
    @discardableResult
    public func generate(prompt: String, count: Int, sampling: Sampler = Sampler(), seed: UInt64 = 0,
                         onText: (String) -> Void = { _ in }) throws -> String {
        let (model, vocabulary) = try languageModel()
        guard !prompt.isEmpty else { throw GenerationError("the prompt is empty; give at least one character") }
        let tokens = try vocabulary.encode(prompt)
        let produced = model.generate(prompt: tokens, count: count, sampling: sampling, seed: seed) { token in
            onText(vocabulary.decode([token]))
        }
        return vocabulary.decode(produced)
    }
}
