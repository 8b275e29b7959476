import Foundation
import Nabla

/// The JSON files of a run folder, through the public types their readers decode: `config.json` as
/// `RunConfiguration` (then `validate()`), `model.json` as `ModelInfo`, and `trainer.json` as the
/// trainer state that `Trainer.resume(from:)` decodes, with the same decoder settings.
extension FuzzTarget {
    /// `config.json`: decoded, then checked as `TrainedModel.load` and the command line check it.
    static let configJSON = FuzzTarget("config-json", "RunConfiguration from JSON, then validate() and the named settings",
                                       expecting: [DecodingError.self, ConfigurationError.self], seeds: FuzzSeeds.configJSON,
        words: { FuzzWords.json + FuzzWords.strings(inJSONSeeds: FuzzSeeds.configJSON()) }) { data in
        let config = try JSONDecoder().decode(RunConfiguration.self, from: data)
        try config.validate()
        _ = try config.resolvedActivation()
        if let initializer = config.initializer { _ = try Initializer.named(initializer) }
    }

    /// `model.json`: decoded as `TrainedModel.load` decodes it.
    static let modelJSON = FuzzTarget("model-json", "ModelInfo from JSON", expecting: [DecodingError.self],
                                      seeds: FuzzSeeds.modelJSON,
        words: { FuzzWords.json + FuzzWords.strings(inJSONSeeds: FuzzSeeds.modelJSON()) }) { data in
        _ = try JSONDecoder().decode(ModelInfo.self, from: data)
    }

    /// `trainer.json`: decoded as `Trainer.resume(from:)` decodes it.
    static let trainerJSON = FuzzTarget("trainer-json", "the trainer state of a checkpoint from JSON", expecting: [DecodingError.self],
                                        seeds: FuzzSeeds.trainerJSON,
        words: { FuzzWords.json + FuzzWords.strings(inJSONSeeds: FuzzSeeds.trainerJSON()) }) { data in
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        _ = try decoder.decode(TrainerState.self, from: data)
    }
}
