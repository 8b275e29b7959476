import NablaCore
import NablaBackend

/// The sizes of a `GPT`.
///
/// ```swift
/// let sizes = GPTConfiguration(vocabularySize: 65, blockSize: 64, layers: 4, heads: 4, embed: 128)
/// ```
public struct GPTConfiguration: Sendable, Equatable, Codable {
    /// Tokens, V.
    public var vocabularySize: Int
    /// The longest window, T: the number of learned positions.
    public var blockSize: Int
    /// Transformer blocks.
    public var layers: Int
    /// Attention heads per block; they split `embed`.
    public var heads: Int
    /// The width of the residual stream, E.
    public var embed: Int
    /// Dropout after the embeddings, on the attention weights, and after each block's two projections.
    public var dropout: Float

    public init(vocabularySize: Int, blockSize: Int, layers: Int, heads: Int, embed: Int, dropout: Float = 0) {
        self.vocabularySize = vocabularySize
        self.blockSize = blockSize
        self.layers = layers
        self.heads = heads
        self.embed = embed
        self.dropout = dropout
    }
}

/// A decoder-only transformer in nanoGPT's shape: token and learned position embeddings, `layers`
/// pre-norm blocks (LayerNorm, causal self-attention, residual; LayerNorm, MLP E→4E→E with GELU,
/// residual), a final LayerNorm and a head tied to the token embedding. Linear and LayerNorm have
/// biases; weights start at PyTorch's defaults (the tied weight at `nn.Linear`'s, as nanoGPT's tying
/// `wte.weight = lm_head.weight` leaves it). The state-dict names are nanoGPT's:
/// `transformer.wte.weight`, `transformer.wpe.weight`, `transformer.h.0.ln_1.weight`,
/// `transformer.h.0.attn.c_attn.weight`, `transformer.h.0.attn.c_proj.weight`, `transformer.h.0.ln_2.weight`,
/// `transformer.h.0.mlp.c_fc.weight`, `transformer.h.0.mlp.c_proj.weight`, …, `transformer.ln_f.weight`,
/// `lm_head.weight` (the tied tensor, under both its names).
///
/// ```swift
/// let model = GPT(GPTConfiguration(vocabularySize: 65, blockSize: 64, layers: 4, heads: 4, embed: 128))
/// let logits = model(tokens)                 // [B, T] → [B, T, 65]
/// let loss = languageModelLoss(logits, targets)
/// ```
public final class GPT: Module, LanguageModel {
    public let configuration: GPTConfiguration
    /// `wte`, `wpe`, the blocks `h` and `ln_f`.
    public let transformer: GPTTransformer
    /// The output head `lm_head` (no bias), sharing its weight with `transformer.wte`.
    public let head: Linear

    /// A model of these sizes; `heads` must divide `embed`.
    public init(_ configuration: GPTConfiguration) {
        let c = configuration
        precondition([c.vocabularySize, c.blockSize, c.layers, c.heads, c.embed].allSatisfy { $0 > 0 },
                     "GPT: sizes must be positive, got \(c)")
        precondition(c.embed % c.heads == 0, "GPT: heads \(c.heads) must divide embed \(c.embed)")
        precondition(c.dropout >= 0 && c.dropout < 1, "GPT: dropout \(c.dropout) must be in [0, 1)")
        self.configuration = c
        head = Linear(c.embed, c.vocabularySize, bias: false)
        transformer = GPTTransformer(c, tokenWeight: head.weight)
        super.init()
    }

    public var blockSize: Int { configuration.blockSize }
    public var vocabularySize: Int { configuration.vocabularySize }

    override public var namedChildren: [(String, Module)] { [("transformer", transformer), ("lm_head", head)] }

    override public var typeName: String {
        let c = configuration
        return "GPT(layers \(c.layers), heads \(c.heads), embed \(c.embed), block \(c.blockSize), vocabulary \(c.vocabularySize))"
    }

    override public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        guard input.count == 2, input[1] >= 1, input[1] <= blockSize else {
            throw ShapeError("\(typeName): expected tokens [B, T] with 1 ≤ T ≤ \(blockSize), got \(input)")
        }
        return input + [vocabularySize]
    }

    override public func forward(_ input: Tensor) -> Tensor {
        var cache: KeyValueCache?
        return run(input, cache: &cache)
    }

    public func logits(_ tokens: Tensor, cache: inout KeyValueCache) -> Tensor {
        precondition(tokens.rank == 2 && cache.count + tokens.shape[1] <= blockSize,
                     "GPT.logits: \(cache.count) cached positions and tokens \(tokens.shape) exceed the block size \(blockSize)")
        var optional: KeyValueCache? = cache
        defer { cache = optional! }
        return run(tokens, cache: &optional)
    }

    private func run(_ tokens: Tensor, cache: inout KeyValueCache?) -> Tensor {
        head(transformer.run(tokens, cache: &cache))
    }
}

/// nanoGPT's `transformer`: `wte`, `wpe`, `drop`, the blocks `h.0`, `h.1`, … and `ln_f`.
public final class GPTTransformer: Module {
    public let tokenEmbedding: Embedding, positionEmbedding: Embedding
    public let dropout: Dropout
    public let blocks: [GPTBlock]
    public let finalNorm: LayerNorm

    init(_ c: GPTConfiguration, tokenWeight: Parameter) {
        tokenEmbedding = Embedding(weight: tokenWeight)
        positionEmbedding = Embedding(c.blockSize, c.embed)
        dropout = Dropout(c.dropout)
        blocks = (0..<c.layers).map { _ in GPTBlock(c) }
        finalNorm = LayerNorm([c.embed])
        super.init()
    }

    override public var namedChildren: [(String, Module)] {
        [("wte", tokenEmbedding), ("wpe", positionEmbedding), ("drop", dropout)]
            + blocks.enumerated().map { ("h.\($0)", $1) } + [("ln_f", finalNorm)]
    }

    /// The final hidden states [B, T, E] of `tokens` [B, T] at positions `cache.count ..< cache.count + T`.
    func run(_ tokens: Tensor, cache: inout KeyValueCache?) -> Tensor {
        let start = cache?.count ?? 0
        let positions = Tensor.arange(Float(start), Float(start + tokens.shape[1]))
        var x = dropout(tokenEmbedding(tokens) + positionEmbedding(positions))
        for (i, block) in blocks.enumerated() {
            let past = cache.flatMap { i < $0.layers.count ? $0.layers[i] : nil }
            let present: KeyValues?
            (x, present) = block.run(x, past: past, caching: cache != nil)
            if let present, cache != nil {
                if i < cache!.layers.count { cache!.layers[i] = present } else { cache!.layers.append(present) }
            }
        }
        return finalNorm(x)
    }
}
