import NablaCore
import NablaBackend

/// One layer's keys and values, [B, heads, positions, head size] each.
typealias KeyValues = (keys: Tensor, values: Tensor)

/// A pre-norm transformer block, nanoGPT's `Block`: x + attn(ln_1(x)), then + mlp(ln_2(x)).
public final class GPTBlock: Module {
    public let norm1: LayerNorm, attention: CausalSelfAttention, norm2: LayerNorm, mlp: GPTMLP

    init(_ c: GPTConfiguration) {
        norm1 = LayerNorm([c.embed])
        attention = CausalSelfAttention(c)
        norm2 = LayerNorm([c.embed])
        mlp = GPTMLP(c)
        super.init()
    }

    override public var namedChildren: [(String, Module)] { [("ln_1", norm1), ("attn", attention), ("ln_2", norm2), ("mlp", mlp)] }

    override public func forward(_ input: Tensor) -> Tensor { run(input, past: nil, caching: false).0 }

    /// The block's output for `x` [B, T, E] after the positions in `past`, and, when `caching`, the keys
    /// and values of all of them.
    func run(_ x: Tensor, past: KeyValues?, caching: Bool) -> (Tensor, KeyValues?) {
        let (attended, present) = attention.run(norm1(x), past: past, caching: caching)
        let h = x + attended
        return (h + mlp(norm2(h)), present)
    }
}

/// Multi-head causal self-attention with one input projection, nanoGPT's `CausalSelfAttention`:
/// `c_attn` (E → 3E: queries, keys, values), the fused attention primitive, then `c_proj` (E → E).
public final class CausalSelfAttention: Module {
    public let inputProjection: Linear, outputProjection: Linear
    public let heads: Int
    public let attentionDropout: Float
    public let residualDropout: Dropout

    init(_ c: GPTConfiguration) {
        inputProjection = Linear(c.embed, 3 * c.embed)
        outputProjection = Linear(c.embed, c.embed)
        heads = c.heads
        attentionDropout = c.dropout
        residualDropout = Dropout(c.dropout)
        super.init()
    }

    override public var namedChildren: [(String, Module)] {
        [("c_attn", inputProjection), ("c_proj", outputProjection), ("resid_dropout", residualDropout)]
    }

    override public func forward(_ input: Tensor) -> Tensor { run(input, past: nil, caching: false).0 }

    /// Attention of the T new positions of `x` [B, T, E] over `past` and themselves (causal,
    /// aligned to the last position); returns the output and, when `caching`, the keys and values of
    /// every position. Without a cache the attention reads the packed projection as it is.
    func run(_ x: Tensor, past: KeyValues?, caching: Bool) -> (Tensor, KeyValues?) {
        let (b, t, e) = (x.shape[0], x.shape[1], x.shape[2])
        let qkv = inputProjection(x)
        let dropout = isTraining ? attentionDropout : 0
        guard caching else {
            let y = scaledDotProductAttention(packed: qkv, heads: heads, isCausal: true, dropout: dropout)
            return (residualDropout(outputProjection(y)), nil)
        }
        func split(_ part: Int) -> Tensor {
            qkv.narrow(axis: 2, start: part * e, length: e).reshape([b, t, heads, e / heads]).permute([0, 2, 1, 3])
        }
        var (keys, values) = (split(1), split(2))
        if let past {
            keys = Tensor.cat([past.keys, keys], axis: 2)
            values = Tensor.cat([past.values, values], axis: 2)
        }
        let y = scaledDotProductAttention(query: split(0), key: keys, value: values, isCausal: true, dropout: dropout)
        let merged = y.permute([0, 2, 1, 3]).reshape([b, t, e])
        return (residualDropout(outputProjection(merged)), (keys, values))
    }
}

/// nanoGPT's `MLP`: `c_fc` (E → 4E), GELU, `c_proj` (4E → E), dropout.
public final class GPTMLP: Module {
    public let expand: Linear, project: Linear
    public let dropout: Dropout

    init(_ c: GPTConfiguration) {
        expand = Linear(c.embed, 4 * c.embed)
        project = Linear(4 * c.embed, c.embed)
        dropout = Dropout(c.dropout)
        super.init()
    }

    override public var namedChildren: [(String, Module)] { [("c_fc", expand), ("c_proj", project), ("dropout", dropout)] }

    override public func forward(_ input: Tensor) -> Tensor { dropout(project(expand(input).gelu())) }
}
