import Foundation
import NablaLibrary
import NablaCore
import NablaBackend

extension Vocabulary {
    /// The file a text run keeps its vocabulary in, in every checkpoint.
    public static let file = "vocab.json"
}

extension RunConfiguration {
    /// How `data` is read: the CSV label column, the synthetic set's size, the text's window and held-out tail.
    public func dataOptions() -> DataOptions {
        DataOptions(directory: dataDirectory, labelColumn: labelColumn, syntheticCount: syntheticCount, seed: seed, task: task,
                    blockSize: resolvedTransformer.blockSize, validationFraction: validationSplit)
    }
}

extension TrainingRun {
    /// The training samples per epoch for data with no natural epoch (text windows): drawn at random
    /// with replacement, an epoch's worth being as many characters as the training text holds.
    /// `nil` for every other data set, whose epoch is one pass.
    static func randomSamplesPerEpoch(_ config: RunConfiguration, _ data: LoadedData, _ train: any Dataset) throws -> Int? {
        guard let windows = train as? TextWindows else { return nil }
        let batch = try config.resolvedBatchSize().resolved(count: windows.count)
        let steps = Swift.max(1, windows.tokens.count / Swift.max(batch * windows.blockSize, 1))
        return steps * batch
    }

    /// Refuses settings that do not apply to text, and models that are not language models for it.
    static func checkText(_ config: RunConfiguration, _ data: LoadedData) throws {
        let isText = data.task == .languageModeling
        let isGPT = config.model.lowercased() == ModelPreset.gpt.rawValue
        if isText && !isGPT {
            throw ConfigurationError("\(setting: .model) \(config.model): \(config.data) is text, which needs a language model; use \(setting: .model) gpt")
        }
        if !isText && isGPT {
            throw ConfigurationError("\(setting: .model) gpt is a language model, and \(config.data) is not text; use \(setting: .data) text:PATH")
        }
        if isText && config.standardize {
            throw ConfigurationError("\(setting: .standardize) applies to csv and npy features, not to the characters of \(config.data)")
        }
    }

    /// A language model's output for one window of its block size must be its vocabulary's logits.
    static func checkLanguageModel(_ model: LanguageModel, _ config: RunConfiguration, inputShape: [Int]) throws -> Module {
        guard inputShape == [model.blockSize] else {
            throw ConfigurationError("\(config.model): the model reads windows of \(model.blockSize) tokens but \(config.data) gives \(inputShape)")
        }
        return model
    }
}
