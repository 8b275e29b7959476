import Foundation
import NablaCore
import NablaBackend

/// How the next token is drawn from a model's logits: softmax at a `temperature`, optionally kept
/// to the `topK` most likely tokens and to the smallest set whose probability reaches `topP`
/// (nucleus sampling), in that order, as Hugging Face's `generate` applies them. Temperature 0 is
/// greedy decoding: always the most likely token (the lowest index among ties).
///
/// ```swift
/// var generator = Generator(seed: 42)
/// let sampler = Sampler(temperature: 0.8, topK: 40, topP: 0.95)
/// let token = sampler.sample(logits: [2.0, 1.0, -1.0], generator: &generator)
/// ```
public struct Sampler: Sendable, Equatable {
    /// Divides the logits before the softmax: below 1 sharpens, above 1 flattens, 0 is greedy.
    public var temperature: Float
    /// Keep only the `topK` highest logits (ties with the k-th kept too, as nanoGPT); `nil` keeps all.
    public var topK: Int?
    /// Keep only the smallest set of most likely tokens whose probabilities add up to at least `topP`; `nil` keeps all.
    public var topP: Float?

    /// A sampler; `temperature` must be zero or positive, `topK` at least 1, `topP` in (0, 1].
    public init(temperature: Float = 1, topK: Int? = nil, topP: Float? = nil) {
        precondition(temperature >= 0 && temperature.isFinite, "Sampler: temperature \(temperature) must be zero or positive")
        precondition(topK.map { $0 >= 1 } ?? true, "Sampler: topK \(topK ?? 0) must be at least 1")
        precondition(topP.map { $0 > 0 && $0 <= 1 } ?? true, "Sampler: topP \(topP ?? 0) must be in (0, 1]")
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
    }

    /// Greedy decoding: temperature 0.
    public static let greedy = Sampler(temperature: 0)

    /// The distribution tokens are drawn from: softmax(logits / temperature), with the tokens that
    /// top-k and top-p leave out at 0 and the rest renormalised. At temperature 0, all mass on the argmax.
    public func probabilities(logits: [Float]) -> [Double] {
        precondition(!logits.isEmpty, "Sampler: no logits")
        guard temperature > 0 else {
            var result = [Double](repeating: 0, count: logits.count)
            result[Self.argmax(logits)] = 1
            return result
        }
        var scaled = logits.map { Double($0) / Double(temperature) }
        if let topK, topK < scaled.count {
            let threshold = scaled.sorted(by: >)[topK - 1]
            for i in scaled.indices where scaled[i] < threshold { scaled[i] = -.infinity }
        }
        var p = Self.softmax(scaled)
        if let topP { p = Self.nucleus(p, topP) }
        return p
    }

    /// One token drawn from `probabilities(logits:)` with one uniform draw of `generator` (none when greedy).
    public func sample(logits: [Float], generator: inout Generator) -> Int {
        guard temperature > 0 else { return Self.argmax(logits) }
        let p = probabilities(logits: logits)
        let u = generator.nextUniform() * p.reduce(0, +)
        var cumulative = 0.0
        var last = 0
        for (i, probability) in p.enumerated() where probability > 0 {
            cumulative += probability
            last = i
            if u < cumulative { return i }
        }
        return last
    }

    /// The index of the largest logit; the lowest index among ties.
    public static func argmax(_ logits: [Float]) -> Int {
        var best = 0
        for i in logits.indices where logits[i] > logits[best] { best = i }
        return best
    }

    private static func softmax(_ x: [Double]) -> [Double] {
        let top = x.max()!
        let e = x.map { $0 == -.infinity ? 0 : Foundation.exp($0 - top) }
        let total = e.reduce(0, +)
        return e.map { $0 / total }
    }

    /// Keeps the most likely tokens, in order, until their mass reaches `p` (at least one), then renormalises.
    private static func nucleus(_ probabilities: [Double], _ p: Float) -> [Double] {
        let order = probabilities.indices.sorted { probabilities[$0] > probabilities[$1] || (probabilities[$0] == probabilities[$1] && $0 < $1) }
        var kept = [Double](repeating: 0, count: probabilities.count)
        var mass = 0.0
        for i in order {
            kept[i] = probabilities[i]
            mass += probabilities[i]
            if mass >= Double(p) { break }
        }
        return kept.map { $0 / mass }
    }
}
