import Foundation
import Testing
@testable import NablaCore
@testable import NablaLibrary

/// The golden model of Tests/Fixtures/gpt_golden.py: PyTorch's outputs and gradients in float64.
private struct GPTGolden {
    let config: GPTConfiguration
    let state: [String: Tensor]
    let tokens: Tensor, targets: Tensor
    let logits: [Double]
    let loss: Double
    let grads: [String: [Double]]

    static let shared = GPTGolden()

    init() {
        let url = Fixtures.directory.appendingPathComponent("gpt_golden.json")
        let root = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let c = root["config"] as! [String: Int]
        config = GPTConfiguration(vocabularySize: c["vocabularySize"]!, blockSize: c["blockSize"]!, layers: c["layers"]!,
                                  heads: c["heads"]!, embed: c["embed"]!)
        func tensor(_ any: Any?) -> Tensor {
            let d = any as! [String: Any]
            return Tensor(shape: d["shape"] as! [Int], scalars: (d["data"] as! [Double]).map(Float.init))
        }
        func values(_ any: Any?) -> [Double] { (any as! [String: Any])["data"] as! [Double] }
        state = (root["state"] as! [String: Any]).mapValues(tensor)
        (tokens, targets) = (tensor(root["tokens"]), tensor(root["targets"]))
        logits = values(root["logits"])
        loss = root["loss"] as! Double
        grads = (root["grads"] as! [String: Any]).mapValues(values)
    }

    func model() throws -> GPT {
        let model = GPT(config)
        try model.loadStateDict(state)
        return model
    }
}

@Suite struct GPTTests {
    @Test func stateDictNamesAreNanoGPTs() {
        let model = GPT(GPTConfiguration(vocabularySize: 11, blockSize: 8, layers: 2, heads: 2, embed: 16))
        #expect(Set(model.stateDict().keys) == Set(GPTGolden.shared.state.keys))
        #expect(model.namedParameters().first?.0 == "transformer.wte.weight")
        #expect(model.namedParameters().last?.0 == "lm_head.weight")
    }

    @Test func theHeadIsTiedToTheTokenEmbedding() {
        let model = GPT(GPTConfiguration(vocabularySize: 7, blockSize: 4, layers: 1, heads: 1, embed: 8))
        #expect(model.head.weight === model.transformer.tokenEmbedding.weight)
        let state = model.stateDict()
        #expect(state["lm_head.weight"]!.scalars == state["transformer.wte.weight"]!.scalars)
        // nn.Linear's initialisation, U(±1/√embed), as nanoGPT's tying leaves it; positions keep nn.Embedding's N(0, 1).
        #expect(state["lm_head.weight"]!.scalars.allSatisfy { Swift.abs($0) <= 1 / Float(8).squareRoot() })
        #expect(state["transformer.wpe.weight"]!.scalars.contains { Swift.abs($0) > 1 / Float(8).squareRoot() })
    }

    @Test func parameterCountMatchesPyTorchCountingTheTiedWeightOnce() {
        func unique(_ model: GPT) -> Int {
            var seen = Set<ObjectIdentifier>()
            return model.namedParameters().reduce(0) { $0 + (seen.insert(ObjectIdentifier($1.1)).inserted ? $1.1.count : 0) }
        }
        // sum(p.numel() for p in GPT(...).parameters()) in Benchmarks/gpt_reference.py.
        #expect(unique(GPT(GPTConfiguration(vocabularySize: 113, blockSize: 64, layers: 4, heads: 4, embed: 128))) == 816_000)
        #expect(unique(GPT(GPTConfiguration(vocabularySize: 11, blockSize: 8, layers: 2, heads: 2, embed: 16))) == 6_896)
    }

    @Test func logitsLossAndEveryGradientMatchPyTorch() throws {
        let golden = GPTGolden.shared
        let model = try golden.model()
        let logits = model(golden.tokens)
        #expect(logits.shape == [2, 8, 11])
        let worst = zip(logits.scalars, golden.logits).map { Swift.abs(Double($0) - $1) }.max()!
        #expect(worst < 1e-5, "largest logit difference \(worst)")
        let loss = languageModelLoss(logits, golden.targets)
        #expect(Swift.abs(Double(loss.item) - golden.loss) < 1e-5)
        loss.backward()
        let parameters = Dictionary(model.namedParameters(), uniquingKeysWith: { a, _ in a })
        for (name, want) in golden.grads {
            let got = parameters[name]!.grad!.scalars
            #expect(allClose(got, want, rtol: 1e-4, atol: 1e-6), "\(name)")
        }
    }

    @Test func laterTokensDoNotChangeEarlierLogits() {
        Random.seed(4)
        let model = GPT(GPTConfiguration(vocabularySize: 9, blockSize: 6, layers: 2, heads: 2, embed: 8))
        let a = model(Tensor(shape: [1, 6], scalars: [1, 2, 3, 4, 5, 6])).scalars
        let b = model(Tensor(shape: [1, 6], scalars: [1, 2, 3, 8, 0, 0])).scalars
        #expect(a.prefix(27) == b.prefix(27))
        #expect(a.suffix(27) != b.suffix(27))
    }

    @Test func windowsLongerThanTheBlockAreRefused() {
        let model = GPT(GPTConfiguration(vocabularySize: 5, blockSize: 4, layers: 1, heads: 1, embed: 4))
        #expect(throws: ShapeError.self) { try model.outputShape(for: [2, 5]) }
        #expect((try? model.outputShape(for: [2, 3])) == [2, 3, 5])
    }
}

@Suite struct GenerationTests {
    func model() -> GPT {
        Random.seed(11)
        return GPT(GPTConfiguration(vocabularySize: 13, blockSize: 8, layers: 2, heads: 2, embed: 16))
    }

    @Test func cachedLogitsEqualAFullForwardPass() {
        let model = model()
        model.eval()
        let tokens: [Float] = [3, 1, 4, 1, 5, 9, 2, 6]
        let full = withNoGrad { model(Tensor(shape: [1, 8], scalars: tokens)) }.scalars
        var cache = KeyValueCache()
        // The first three positions at once, then one at a time.
        var cached = withNoGrad { model.logits(Tensor(shape: [1, 3], scalars: Array(tokens[0..<3])), cache: &cache) }.scalars
        for t in 3..<8 { cached += withNoGrad { model.logits(Tensor(shape: [1, 1], scalars: [tokens[t]]), cache: &cache) }.scalars }
        #expect(cache.count == 8)
        let worst = zip(full, cached).map { Swift.abs($0 - $1) }.max()!
        #expect(worst < 1e-4, "largest difference \(worst)")
    }

    @Test func cachedGenerationEqualsUncachedTokenForToken() {
        let model = model()
        for sampler in [Sampler.greedy, Sampler(temperature: 1), Sampler(temperature: 0.7, topK: 5, topP: 0.9)] {
            // 20 tokens from a 3-token prompt: the window fills at 8 and then slides.
            let cached = model.generate(prompt: [1, 2, 3], count: 20, sampling: sampler, seed: 5, useCache: true)
            let uncached = model.generate(prompt: [1, 2, 3], count: 20, sampling: sampler, seed: 5, useCache: false)
            #expect(cached == uncached, "\(sampler)")
            #expect(cached.count == 20 && cached.allSatisfy { (0..<13).contains($0) })
        }
    }

    @Test func greedyDecodingTakesTheArgmaxOfTheLastPosition() {
        let model = model()
        model.eval()
        var context = [4, 7]
        for _ in 0..<10 {
            let window = Array(context.suffix(8)).map(Float.init)
            let logits = withNoGrad { model(Tensor(shape: [1, window.count], scalars: window)) }.scalars.suffix(13)
            context.append(Sampler.argmax(Array(logits)))
        }
        #expect(model.generate(prompt: [4, 7], count: 10, sampling: .greedy) == Array(context.dropFirst(2)))
    }

    @Test func aLongPromptIsCroppedToItsLastBlock() {
        let model = model()
        let long = [5, 5, 5, 5, 0, 1, 2, 3, 4, 5, 6, 7]
        let cropped = Array(long.suffix(8))
        #expect(model.generate(prompt: long, count: 6, sampling: .greedy) == model.generate(prompt: cropped, count: 6, sampling: .greedy))
    }

    @Test func theSameSeedGivesTheSameTokensAndStreamsThemInOrder() {
        let model = model()
        var streamed: [Int] = []
        let a = model.generate(prompt: [0], count: 15, sampling: Sampler(temperature: 1.2), seed: 3) { streamed.append($0) }
        #expect(a == streamed)
        #expect(a == model.generate(prompt: [0], count: 15, sampling: Sampler(temperature: 1.2), seed: 3))
        #expect(a != model.generate(prompt: [0], count: 15, sampling: Sampler(temperature: 1.2), seed: 4))
        #expect(model.isTraining)   // generation restores the mode it found
    }
}
