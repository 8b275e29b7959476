import NablaCore
import NablaBackend

/// A mask for `MultiheadAttention` and `TransformerEncoderLayer`, in `torch.nn.MultiheadAttention`'s terms.
///
/// ```swift
/// let padding = MultiheadAttentionMask.masked(Tensor([[0, 0, 1]]))   // the third key is padding
/// ```
public enum MultiheadAttentionMask {
    /// 0/1 values, 1 where attention is not allowed: PyTorch's boolean mask, True = ignore.
    case masked(Tensor)
    /// Float values added to the attention scores (−∞ forbids).
    case additive(Tensor)

    /// The values added to the scores: −∞ where masked, or the tensor itself.
    var scoreOffsets: Tensor {
        switch self {
        case .masked(let mask): return Tensor(shape: mask.shape, scalars: mask.scalars.map { $0 != 0 ? -Float.infinity : 0 })
        case .additive(let mask): return mask
        }
    }
}

/// Multi-head attention as `torch.nn.MultiheadAttention(embed_dim, num_heads, dropout, bias, batch_first=True)`,
/// with its state-dict names: `in_proj_weight` [3E, E], `in_proj_bias` [3E], `out_proj.weight`, `out_proj.bias`.
/// Initialised as PyTorch does: Xavier-uniform `in_proj_weight`, zero biases, `out_proj.weight` as `Linear`.
///
/// `forward(x)` is self-attention over x [B, T, E] through the fused `scaledDotProductAttention`;
/// `callAsFunction(query:key:value:…)` takes PyTorch's masks and returns the head-averaged weights too.
///
/// ```swift
/// let attention = MultiheadAttention(embedDim: 64, numHeads: 4)
/// let y = attention(x)                                                              // [B, T, 64]
/// let (out, weights) = attention(query: x, key: x, value: x, keyPaddingMask: .masked(padding))   // weights [B, T, T]
/// ```
public final class MultiheadAttention: Module {
    public let embedDim: Int, numHeads: Int
    /// The dropout probability on the attention weights, in training mode.
    public let dropout: Float
    public let inProjWeight: Parameter
    public let inProjBias: Parameter?
    public let outProj: Linear
    /// Whether `forward(_:)` masks future positions, for models that call it alone (`Sequential`, model
    /// specs); `callAsFunction(query:…)` takes its own flag.
    public var isCausal = false

    public init(embedDim: Int, numHeads: Int, dropout: Float = 0, bias: Bool = true) {
        precondition(embedDim > 0 && numHeads > 0, "MultiheadAttention: sizes must be positive, got embedDim \(embedDim), numHeads \(numHeads)")
        precondition(embedDim % numHeads == 0, "MultiheadAttention: numHeads \(numHeads) does not divide embedDim \(embedDim)")
        precondition(dropout >= 0 && dropout < 1, "MultiheadAttention: dropout \(dropout) must be in [0, 1)")
        (self.embedDim, self.numHeads, self.dropout) = (embedDim, numHeads, dropout)
        inProjWeight = Parameter(Initializer.xavierUniform.tensor([3 * embedDim, embedDim]))
        inProjBias = bias ? Parameter(.zeros([3 * embedDim])) : nil
        outProj = Linear(embedDim, embedDim, bias: bias)
        outProj.bias?.assign(.zeros([embedDim]))
        super.init()
    }

    /// The size of each head, embedDim / numHeads.
    public var headDim: Int { embedDim / numHeads }

    override public var typeName: String { "MultiheadAttention(\(embedDim), heads: \(numHeads))" }

    override public var ownParameters: [(String, Parameter)] {
        [("in_proj_weight", inProjWeight)] + (inProjBias.map { [("in_proj_bias", $0)] } ?? [])
    }

    override public var namedChildren: [(String, Module)] { [("out_proj", outProj)] }

    override public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        guard input.count == 3, input[2] == embedDim else {
            throw ShapeError("\(typeName): expected input [B, T, \(embedDim)], got \(input)")
        }
        return input
    }

    /// Self-attention over x [B, T, E], causal when `isCausal` is set, without other masks.
    override public func forward(_ input: Tensor) -> Tensor {
        self(query: input, key: input, value: input, needWeights: false, isCausal: isCausal).output
    }

    /// Attention of `query` [B, L, E] over `key`, `value` [B, S, E], as PyTorch's `forward`.
    ///
    /// - keyPaddingMask: [B, S]; `.masked` ignores the keys where it is 1.
    /// - attnMask: [L, S] or [B·H, L, S].
    /// - needWeights: also return the attention weights averaged over the heads, [B, L, S] (PyTorch's
    ///   default); they are computed from the composed ops, not the fused kernel.
    /// - isCausal: query i attends to keys j ≤ i + S − L (with `attnMask` too, when given). PyTorch
    ///   treats its `is_causal` as a hint that `attn_mask` is causal; here the flag is the mask.
    ///
    /// A query whose every key is masked gives zeros without weights, NaN with them (as PyTorch).
    public func callAsFunction(query: Tensor, key: Tensor, value: Tensor, keyPaddingMask: MultiheadAttentionMask? = nil,
                               attnMask: MultiheadAttentionMask? = nil, needWeights: Bool = true,
                               isCausal: Bool = false) -> (output: Tensor, weights: Tensor?) {
        checkShapes(query, key, value)
        let (batch, length, sourceLength) = (query.shape[0], query.shape[1], key.shape[1])
        let mask = combinedMask(keyPaddingMask, attnMask, batch: batch, length: length, sourceLength: sourceLength)
        let p = isTraining ? dropout : 0
        if !needWeights && isSelfAttention(query, key, value) {
            // One product for q, k and v, read by the kernel where they lie: no split, no transposes.
            let attended = scaledDotProductAttention(packed: packedProjection(query), heads: numHeads, mask: mask.map { .additive($0) },
                                                     isCausal: isCausal, dropout: p)
            return (outProj(attended), nil)
        }
        let (q, k, v) = project(query, key, value)
        let attended: Tensor, weights: Tensor?
        if needWeights {
            let composed = Self.composedAttention(q, k, v, mask: mask, isCausal: isCausal, dropout: p)
            (attended, weights) = (composed.output, composed.weights.mean(axis: 1))
        } else {
            attended = scaledDotProductAttention(query: q, key: k, value: v, mask: mask.map { .additive($0) },
                                                 isCausal: isCausal, dropout: p)
            weights = nil
        }
        let merged = attended.permute([0, 2, 1, 3]).reshape([batch, length, embedDim])
        return (outProj(merged), weights)
    }

    private func isSelfAttention(_ query: Tensor, _ key: Tensor, _ value: Tensor) -> Bool {
        query.storage === key.storage && key.storage === value.storage && query.shape == key.shape && key.shape == value.shape
    }

    /// x·in_proj_weightᵀ + in_proj_bias: [B, T, 3E], each position's q, k and v side by side.
    private func packedProjection(_ x: Tensor) -> Tensor {
        let packed = x.matmul(inProjWeight.value, transB: true)
        return inProjBias.map { packed + $0.value } ?? packed
    }

    private func checkShapes(_ query: Tensor, _ key: Tensor, _ value: Tensor) {
        let shapes = "query \(query.shape), key \(key.shape), value \(value.shape)"
        precondition(query.rank == 3 && key.rank == 3 && value.rank == 3 && [query.shape[2], key.shape[2], value.shape[2]] == [embedDim, embedDim, embedDim],
                     "\(typeName): expected query [B, L, \(embedDim)], key and value [B, S, \(embedDim)]; got \(shapes)")
        precondition(key.shape[0] == query.shape[0] && value.shape[0] == query.shape[0] && key.shape[1] == value.shape[1],
                     "\(typeName): batch or source lengths differ: \(shapes)")
    }

    /// q, k, v [B, H, T, headDim] from the packed projection (one product when query, key and value are one tensor).
    private func project(_ query: Tensor, _ key: Tensor, _ value: Tensor) -> (Tensor, Tensor, Tensor) {
        let w = inProjWeight.value, b = inProjBias?.value
        func heads(_ x: Tensor) -> Tensor { x.reshape([x.shape[0], x.shape[1], numHeads, headDim]).permute([0, 2, 1, 3]) }
        if isSelfAttention(query, key, value) {
            let packed = packedProjection(query)
            let parts = (0..<3).map { heads(packed.narrow(axis: 2, start: $0 * embedDim, length: embedDim)) }
            return (parts[0], parts[1], parts[2])
        }
        let parts = [query, key, value].enumerated().map { i, x in
            var y = x.matmul(w.narrow(axis: 0, start: i * embedDim, length: embedDim), transB: true)
            if let b { y = y + b.narrow(axis: 0, start: i * embedDim, length: embedDim) }
            return heads(y)
        }
        return (parts[0], parts[1], parts[2])
    }

    /// One additive mask broadcastable to [B, H, L, S], or nil; the two masks are added only when both are given.
    private func combinedMask(_ padding: MultiheadAttentionMask?, _ attn: MultiheadAttentionMask?, batch: Int, length: Int,
                              sourceLength: Int) -> Tensor? {
        let paddingMask = padding.map { mask -> Tensor in
            let values = mask.scoreOffsets
            precondition(values.shape == [batch, sourceLength],
                         "\(typeName): keyPaddingMask \(values.shape) should be [\(batch), \(sourceLength)]")
            return values.reshape([batch, 1, 1, sourceLength])
        }
        let attnMask = attn.map { mask -> Tensor in
            let values = mask.scoreOffsets
            if values.shape == [length, sourceLength] { return values }
            precondition(values.shape == [batch * numHeads, length, sourceLength],
                         "\(typeName): attnMask \(values.shape) should be [\(length), \(sourceLength)] or [\(batch * numHeads), \(length), \(sourceLength)]")
            return values.reshape([batch, numHeads, length, sourceLength])
        }
        switch (paddingMask, attnMask) {
        case let (p?, a?): return p + a
        case let (p, a): return p ?? a
        }
    }

    /// softmax(q·kᵀ/√d + mask) (causal too), dropped out, times v, from the composed ops, with the weights
    /// [B, H, L, S] after dropout, as PyTorch returns them.
    static func composedAttention(_ q: Tensor, _ k: Tensor, _ v: Tensor, mask: Tensor?, isCausal: Bool,
                                  dropout: Float) -> (output: Tensor, weights: Tensor) {
        var scores = q.matmul(k, transB: true) * (1 / Float(q.shape[3]).squareRoot())
        if let mask { scores = scores + mask }
        if isCausal {
            let (l, s) = (q.shape[2], k.shape[2])
            scores = scores + Tensor(shape: [l, s], scalars: (0..<l * s).map { $0 % s <= $0 / s + s - l ? 0 : -Float.infinity })
        }
        var weights = scores.softmax(axis: -1)
        if dropout > 0 {
            let keep = 1 / (1 - dropout)
            let multipliers = Random.with { g in (0..<weights.count).map { _ in g.nextUniform() >= Double(dropout) ? keep : 0 } }
            weights = weights * Tensor(shape: weights.shape, scalars: multipliers)
        }
        return (weights.matmul(v), weights)
    }
}
