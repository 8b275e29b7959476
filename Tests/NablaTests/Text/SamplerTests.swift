import Foundation
import Testing
@testable import NablaCore
@testable import NablaLibrary

@Suite struct SamplerTests {
    let logits: [Float] = [1.0, 3.0, -0.5, 2.5, 0.0, 2.9]

    @Test func temperatureZeroIsArgmaxAndLowTemperaturesApproachIt() {
        var generator = Generator(seed: 1)
        #expect((0..<50).allSatisfy { _ in Sampler.greedy.sample(logits: logits, generator: &generator) == 1 })
        #expect(Sampler.greedy.probabilities(logits: logits) == [0, 1, 0, 0, 0, 0])
        // At T = 0.01 the gap of 0.1 between the two best is 10 nats: almost all mass on the argmax.
        #expect(Sampler(temperature: 0.01).probabilities(logits: logits)[1] > 0.9999)
        #expect(Sampler.argmax([2, 5, 5, 1]) == 1)   // ties: the lowest index
    }

    @Test func topKNeverPicksOutsideTheKBest() {
        var generator = Generator(seed: 2)
        let sampler = Sampler(temperature: 5, topK: 3)   // a high temperature would otherwise reach every token
        let picks = Set((0..<2000).map { _ in sampler.sample(logits: logits, generator: &generator) })
        #expect(picks == [1, 3, 5])
        let p = sampler.probabilities(logits: logits)
        #expect(p[0] == 0 && p[2] == 0 && p[4] == 0)
        #expect(Swift.abs(p.reduce(0, +) - 1) < 1e-12)
    }

    @Test func topPKeepsTheSmallestSetReachingP() {
        // Probabilities 0.5, 0.3, 0.15, 0.05 (as logits of their logs).
        let probabilities = [0.5, 0.3, 0.15, 0.05]
        let l = probabilities.map { Float(Foundation.log($0)) }
        func kept(_ p: Float) -> [Int] {
            Sampler(topP: p).probabilities(logits: l).enumerated().filter { $0.element > 0 }.map(\.offset)
        }
        #expect(kept(0.45) == [0])         // the best alone reaches 0.45
        #expect(kept(0.6) == [0, 1])       // 0.5 falls short; 0.8 reaches it
        #expect(kept(0.81) == [0, 1, 2])
        #expect(kept(1) == [0, 1, 2, 3])
        let renormalised = Sampler(topP: 0.6).probabilities(logits: l)
        #expect(Swift.abs(renormalised[0] - 0.625) < 1e-6 && Swift.abs(renormalised[1] - 0.375) < 1e-6)
    }

    @Test func frequenciesAtTemperatureOneMatchTheSoftmax() {
        var generator = Generator(seed: 3)
        let draws = 60_000
        var counts = [Int](repeating: 0, count: logits.count)
        for _ in 0..<draws { counts[Sampler().sample(logits: logits, generator: &generator)] += 1 }
        let softmax = Tensor(logits).softmax().scalars.map(Double.init)
        // Pearson's chi-square with 5 degrees of freedom: 20.5 is its 0.999 quantile.
        let chiSquare = zip(counts, softmax).reduce(0.0) { sum, pair in
            let expected = Double(draws) * pair.1
            return sum + (Double(pair.0) - expected) * (Double(pair.0) - expected) / expected
        }
        #expect(chiSquare < 20.5, "chi-square \(chiSquare), counts \(counts)")
        // Temperature 2 flattens the distribution as softmax(logits / 2) does.
        let flat = Sampler(temperature: 2).probabilities(logits: logits)
        let expected = Tensor(logits.map { $0 / 2 }).softmax().scalars
        #expect(zip(flat, expected).allSatisfy { Swift.abs($0 - Double($1)) < 1e-6 })
    }

    @Test func theSameSeedDrawsTheSameTokens() {
        func draws(_ seed: UInt64) -> [Int] {
            var generator = Generator(seed: seed)
            return (0..<100).map { _ in Sampler(temperature: 1.3, topP: 0.95).sample(logits: logits, generator: &generator) }
        }
        #expect(draws(9) == draws(9))
        #expect(draws(9) != draws(10))
    }
}
