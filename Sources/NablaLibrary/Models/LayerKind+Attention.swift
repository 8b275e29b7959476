import NablaCore
import NablaBackend

extension LayerKind {
    /// The kinds registered in this file, in the order help lists them.
    static let attention: [LayerKind] = [.multiheadAttention, .transformerEncoder, .positionalEmbedding, .sinusoidalEncoding]

    /// `multihead-attention: {heads, dropout, bias, causal}`: self-attention over [N, T, E], E inferred.
    public static let multiheadAttention = LayerKind(
        "multihead-attention", "MultiheadAttention", "self-attention over a sequence [N, T, E] → [N, T, E]; E is inferred",
        parameters: [.int("heads", required: "4", "the number of heads; it must divide the embedding size"),
                     .float("dropout", default: 0, "the dropout probability on the attention weights while training"),
                     .bool("bias", default: true, "whether the projections add learned biases"),
                     .bool("causal", default: false, "whether each position attends only to itself and earlier ones")],
        label: { layer, input, _ in "MultiheadAttention \(input.count == 3 ? String(input[2]) : "?"), \(layer.int("heads")) heads" },
        make: { layer, c throws(ModelSpecError) in
            let (heads, dropout, bias) = (layer.int("heads"), layer.float("dropout"), layer.bool("bias"))
            try checkSequence(c, heads: heads, dropout: dropout)
            let e = c.features
            try c.reserve(4 * e * e + (bias ? 4 * e : 0))
            let attention = MultiheadAttention(embedDim: e, numHeads: heads, dropout: dropout, bias: bias)
            attention.isCausal = layer.bool("causal")
            return attention
        })

    /// `transformer-encoder: {heads, feedforward, dropout, gelu, prenorm, causal}`: one
    /// `TransformerEncoderLayer` over [N, T, E], E inferred.
    public static let transformerEncoder = LayerKind(
        "transformer-encoder", "TransformerEncoderLayer",
        "a Transformer block, self-attention then a feed-forward layer, each with a residual and LayerNorm: [N, T, E] → [N, T, E]",
        parameters: [.int("heads", required: "4", "the number of heads; it must divide the embedding size"),
                     .int("feedforward", default: 2048, "the width of the feed-forward layer (PyTorch's dim_feedforward)"),
                     .float("dropout", default: 0.1, "the dropout probability while training"),
                     .bool("gelu", default: false, "GELU between the feed-forward layers instead of ReLU"),
                     .bool("prenorm", default: false, "LayerNorm before each sublayer (PyTorch's norm_first) instead of after"),
                     .bool("causal", default: false, "whether each position attends only to itself and earlier ones")],
        label: { layer, input, _ in "TransformerEncoderLayer \(input.count == 3 ? String(input[2]) : "?"), \(layer.int("heads")) heads" },
        make: { layer, c throws(ModelSpecError) in
            let (heads, feedforward, dropout) = (layer.int("heads"), layer.int("feedforward"), layer.float("dropout"))
            try checkSequence(c, heads: heads, dropout: dropout)
            try c.check(feedforward, in: 1...(1 << 20), "feedforward")
            let e = c.features
            try c.reserve(4 * e * e + 4 * e + 2 * e * feedforward + feedforward + e + 4 * e)
            let block = TransformerEncoderLayer(dModel: e, nHead: heads, dimFeedforward: feedforward, dropout: dropout,
                                                activation: layer.bool("gelu") ? .gelu : .relu, normFirst: layer.bool("prenorm"))
            block.isCausal = layer.bool("causal")
            return block
        })

    /// `positional-embedding: {block}`: learned positions added to [N, T, E]; `block` is T when left out.
    public static let positionalEmbedding = LayerKind(
        "positional-embedding", "LearnedPositionalEmbedding", "adds a learned vector per position to [N, T, E]; E is inferred",
        parameters: [.int("block", "the most positions (the block size); the input's length when left out")],
        make: { layer, c throws(ModelSpecError) in
            guard c.input.count == 3 else { throw c.fail("gets input \(c.shownInput); it needs a sequence [N, T, E]") }
            let block = layer.int(optional: "block") ?? c.input[1]
            try c.check(block, in: c.input[1]...(1 << 20), "block", note: "at least the sequence length \(c.input[1])")
            try c.reserve(block * c.features)
            return LearnedPositionalEmbedding(blockSize: block, embedDim: c.features)
        })

    /// `sinusoidal-encoding`: the fixed sin/cos positions added to [N, T, E].
    public static let sinusoidalEncoding = LayerKind(
        "sinusoidal-encoding", "SinusoidalPositionalEncoding", "adds the fixed sin/cos encoding of each position to [N, T, E]",
        make: { _, c throws(ModelSpecError) in
            guard c.input.count == 3 else { throw c.fail("gets input \(c.shownInput); it needs a sequence [N, T, E]") }
            return SinusoidalPositionalEncoding(embedDim: c.features)
        })

    /// An attention layer needs [N, T, E] with `heads` dividing E, and a dropout probability.
    private static func checkSequence(_ c: LayerBuildContext, heads: Int, dropout: Float) throws(ModelSpecError) {
        guard c.input.count == 3 else {
            throw c.fail("gets input \(c.shownInput); it needs a sequence [N, T, E]; put an `embedding` or a `linear` before it")
        }
        try c.check(heads, in: 1...c.features, "heads", note: "in 1...\(c.features), the embedding size")
        guard c.features % heads == 0 else { throw c.fail("has heads = \(heads), which does not divide the embedding size \(c.features)") }
        guard dropout >= 0 && dropout < 1 else { throw c.fail("has dropout = \(dropout); a dropout probability must be in [0, 1)") }
    }
}

extension LayerSpec {
    /// `multihead-attention: {heads, dropout, bias, causal}`: self-attention over [N, T, E].
    public static func multiheadAttention(heads: Int, dropout: Float = 0, bias: Bool = true, causal: Bool = false) -> LayerSpec {
        LayerSpec(.multiheadAttention, ["heads": .int(heads), "dropout": .float(dropout), "bias": .bool(bias), "causal": .bool(causal)])
    }

    /// `transformer-encoder: {heads, feedforward, dropout, gelu, prenorm, causal}`: a Transformer block over [N, T, E].
    public static func transformerEncoder(heads: Int, feedforward: Int = 2048, dropout: Float = 0.1, gelu: Bool = false,
                                          prenorm: Bool = false, causal: Bool = false) -> LayerSpec {
        LayerSpec(.transformerEncoder, ["heads": .int(heads), "feedforward": .int(feedforward), "dropout": .float(dropout),
                                        "gelu": .bool(gelu), "prenorm": .bool(prenorm), "causal": .bool(causal)])
    }

    /// `positional-embedding: {block}`: learned positions added to [N, T, E].
    public static func positionalEmbedding(block: Int? = nil) -> LayerSpec {
        LayerSpec(.positionalEmbedding, ["block": block.map { .int($0) }])
    }

    /// `sinusoidal-encoding`: fixed sin/cos positions added to [N, T, E].
    public static var sinusoidalEncoding: LayerSpec { LayerSpec(.sinusoidalEncoding) }
}
