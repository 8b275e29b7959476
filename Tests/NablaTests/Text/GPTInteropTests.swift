import Foundation
import Testing
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// Dumps the logits of a trained gpt run for `Benchmarks/gpt_reference.py --check-logits RUN_DIR`,
/// which loads the run's `model.safetensors` into the PyTorch model and compares. With
/// `NABLA_GPT_INTEROP_DIR` set, the run is written there and kept:
///
///     NABLA_GPT_INTEROP_DIR=/tmp/gpt-run swift test --filter GPTInteropTests
///     venv/bin/python Benchmarks/gpt_reference.py --check-logits /tmp/gpt-run
@Suite struct GPTInteropTests {
    @Test func aTrainedRunDumpsItsLogitsForPyTorch() throws {
        let fixture = try TextFixture()
        defer { fixture.remove() }
        let kept = ProcessInfo.processInfo.environment["NABLA_GPT_INTEROP_DIR"].map { URL(fileURLWithPath: $0) }
        let out = kept ?? fixture.folder.appendingPathComponent("run")
        if let kept { try? FileManager.default.removeItem(at: kept) }
        var config = fixture.config(steps: 20)
        (config.layers, config.heads) = (2, 4)
        _ = try TrainingRun(config).fit(outputDirectory: out)

        let trained = try TrainedModel.load(from: out)
        let tokens = Tensor(shape: [2, 8], scalars: try trained.vocabulary!.encode("the cat sat, a hat, a mat").prefix(16).map(Float.init))
        let logits = withNoGrad { trained.model(tokens) }
        let file = out.appendingPathComponent("logits.safetensors")
        try Safetensors.encode(["tokens": tokens, "logits": logits]).write(to: file)
        let back = try Safetensors.read(data: Data(contentsOf: file), name: file.path).tensors
        #expect(back["logits"]!.shape == [2, 8, 10] && back["logits"]!.scalars == logits.scalars)
        // The top-level model.safetensors holds the tied weight under both names, as PyTorch's state_dict.
        let weights = try Safetensors.read(data: Data(contentsOf: out.appendingPathComponent("model.safetensors")), name: "model").tensors
        #expect(weights["lm_head.weight"]!.scalars == weights["transformer.wte.weight"]!.scalars)
        #expect(weights.count == 2 + 2 * 12 + 2 + 1)
    }
}
