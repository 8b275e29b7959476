import ArgumentParser
import Foundation
import Nabla

/// `nabla generate`: continue a prompt with a trained language model, streaming the characters.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate text with a language model trained by `nabla train --model gpt --data text:PATH`.",
        discussion: """
            Examples:
              nabla generate --checkpoint runs/fortunes --prompt "The " --tokens 300 --temperature 0.8
              nabla generate --checkpoint runs/fortunes --temperature 0          # greedy
              nabla generate --checkpoint runs/fortunes --top-k 10 --top-p 0.9 --seed 7
            """)

    @Option(help: "A run folder written by `nabla train` with a gpt model on text data.") var checkpoint: String
    @Option(help: "The text to continue (default: a line break, or the vocabulary's first character when the text has none); a prompt longer than the block size is read by its last block.")
    var prompt: String?
    @Option(parsing: .unconditional, help: "How many characters to generate.") var tokens = 500
    @Option(parsing: .unconditional, help: "Softmax temperature: below 1 sharpens, above 1 flattens; 0 is greedy.") var temperature: Float = 1
    @Option(parsing: .unconditional, help: "Draw only from the k most likely characters.") var topK: Int?
    @Option(parsing: .unconditional, help: "Draw only from the smallest set of most likely characters whose probability reaches p.")
    var topP: Float?
    @Option(parsing: .unconditional, help: "Random seed: the same seed gives the same text.") var seed: UInt64 = 0

    func run() throws {
        try reportingErrors {
            let sampler = try sampling()
            let trained = try TrainedModel.load(from: URL(fileURLWithPath: checkpoint))
            let vocabulary = try trained.languageModel().vocabulary
            let prompt = self.prompt ?? (vocabulary.token("\n") != nil ? "\n" : String(vocabulary.characters[0]))
            _ = try vocabulary.encode(prompt)
            let output = FileHandle.standardOutput
            output.write(Data(prompt.utf8))
            try trained.generate(prompt: prompt, count: tokens, sampling: sampler, seed: seed) { output.write(Data($0.utf8)) }
            output.write(Data("\n".utf8))
        }
    }

    /// The sampler the options describe, or an error naming the option out of range.
    func sampling() throws -> Sampler {
        guard tokens >= 0 else { throw ValidationError("--tokens \(tokens): must be zero or positive") }
        guard temperature >= 0, temperature.isFinite else { throw ValidationError("--temperature \(temperature): must be zero or positive") }
        if let topK, topK < 1 { throw ValidationError("--top-k \(topK): must be at least 1") }
        if let topP, !(topP > 0 && topP <= 1) { throw ValidationError("--top-p \(topP): must be in (0, 1]") }
        return Sampler(temperature: temperature, topK: topK, topP: topP)
    }
}
