import NablaCore
import NablaBackend

/// The keys and values of the positions a language model has already read, one pair per layer,
/// each [B, heads, positions, head size], so that the next token costs one position.
///
/// ```swift
/// var cache = KeyValueCache()
/// let first = model.logits(Tensor([[3, 1, 4]]), cache: &cache)   // reads positions 0…2
/// let next = model.logits(Tensor([[1]]), cache: &cache)          // position 3 only
/// ```
public struct KeyValueCache {
    /// Per layer, the keys and values of every position read so far.
    public var layers: [(keys: Tensor, values: Tensor)] = []
    /// The number of positions held.
    public var count: Int { layers.first?.keys.shape[2] ?? 0 }

    /// An empty cache.
    public init() {}
}

/// A model that maps token windows [B, T] to next-token logits [B, T, V], such as `GPT`.
public protocol LanguageModel: Module {
    /// The longest window the model reads (its learned positions).
    var blockSize: Int { get }
    /// The number of tokens, V.
    var vocabularySize: Int { get }
    /// The logits [B, T, V] of `tokens` [B, T], which continue the positions held in `cache`; their
    /// keys and values are appended to it. `cache.count + T` must not exceed `blockSize`.
    func logits(_ tokens: Tensor, cache: inout KeyValueCache) -> Tensor
}

extension LanguageModel {
    /// Continues `prompt` by `count` tokens, each drawn by `sampling` from the logits of the last
    /// position, as nanoGPT's `generate`; `onToken` receives each token as it is drawn. The model
    /// reads at most its last `blockSize` tokens: a longer prompt is cropped to its last block.
    ///
    /// With `useCache`, each new token costs one position while the window grows; once it is full
    /// the window slides, every position shifts, and it is recomputed (as nanoGPT's crop), so the
    /// result is the same with or without the cache. The same `seed` gives the same tokens.
    ///
    /// ```swift
    /// let tokens = model.generate(prompt: [0], count: 100, sampling: Sampler(temperature: 0.8), seed: 1) { print($0) }
    /// ```
    @discardableResult
    public func generate(prompt: [Int], count: Int, sampling: Sampler = Sampler(), seed: UInt64 = 0, useCache: Bool = true,
                         onToken: (Int) -> Void = { _ in }) -> [Int] {
        precondition(!prompt.isEmpty, "generate: the prompt needs at least one token")
        precondition(prompt.allSatisfy { $0 >= 0 && $0 < vocabularySize }, "generate: prompt tokens must be in 0..<\(vocabularySize)")
        let wasTraining = isTraining
        eval()
        defer { train(wasTraining) }
        var generator = Generator(seed: seed)
        var context = prompt, produced: [Int] = []
        var cache = KeyValueCache(), cacheStart = 0
        withNoGrad {
            for _ in 0..<count {
                let start = Swift.max(0, context.count - blockSize)
                if !useCache || start != cacheStart { (cache, cacheStart) = (KeyValueCache(), start) }
                let fresh = context[(start + cache.count)...].map(Float.init)
                let logits = self.logits(Tensor(shape: [1, fresh.count], scalars: fresh), cache: &cache)
                let last = Array(logits.scalars.suffix(vocabularySize))
                let token = sampling.sample(logits: last, generator: &generator)
                context.append(token)
                produced.append(token)
                onToken(token)
            }
        }
        return produced
    }
}
