import NablaBackend

/// A mask for `scaledDotProductAttention`, broadcastable to the scores [B, H, Tq, Tk].
public enum AttentionMask {
    /// Float values added to the scores before the softmax (−∞ forbids a key). A mask that requires a
    /// gradient gets one.
    case additive(Tensor)
    /// 0/1 values, 1 where the query may attend to the key, as PyTorch's boolean `attn_mask` of
    /// `scaled_dot_product_attention` (not the inverted one of `nn.MultiheadAttention`).
    case allowed(Tensor)

    /// The values added to the scores: the tensor itself, or 0 where allowed and −∞ elsewhere.
    var scoreOffsets: Tensor {
        switch self {
        case .additive(let mask): return mask
        case .allowed(let mask):
            return Tensor(shape: mask.shape, scalars: mask.scalars.map { $0 != 0 ? 0 : -Float.infinity })
        }
    }
}

/// What an attention node keeps for its gradient: the sizes and layouts, the softmax weights (before dropout)
/// and the dropout multipliers, if any. Its inputs are query, key, value (or, `packed`, the one tensor
/// holding all three), then the additive mask when given.
package final class AttentionSaved: @unchecked Sendable {
    let shape: AttentionShape
    let weights: TensorStorage
    let dropout: TensorStorage?
    let packed: Bool

    init(_ shape: AttentionShape, weights: TensorStorage, dropout: TensorStorage?, packed: Bool) {
        self.shape = shape
        self.weights = weights
        self.dropout = dropout
        self.packed = packed
    }
}

/// Scaled dot-product attention as one primitive, as PyTorch's `F.scaled_dot_product_attention`:
/// `dropout(softmax(query·keyᵀ·scale + mask))·value`.
///
/// - query [B, H, Tq, D], key [B, H, Tk, D], value [B, H, Tk, Dv] → [B, H, Tq, Dv].
/// - `scale` defaults to 1/√D.
/// - `isCausal`: query i attends to keys j ≤ i + Tk − Tq, without building a mask tensor. The mask is
///   aligned to the bottom-right corner, so that Tq new queries after a key/value cache of Tk − Tq
///   positions see the whole cache; PyTorch's `is_causal` is aligned top-left, and the two agree when
///   Tq == Tk. It may be combined with `mask`.
/// - `dropout`: the probability of zeroing each attention weight (survivors scaled by 1/(1 − p)), drawn
///   from `Random`; pass 0 in evaluation.
/// - A query row whose every key is masked out gives zeros and passes no gradient, as PyTorch's
///   `scaled_dot_product_attention` does (its `nn.MultiheadAttention` gives NaN there).
///
/// The forward pass keeps the softmax weights only when a gradient will be needed.
///
/// ```swift
/// let y = scaledDotProductAttention(query: q, key: k, value: v, isCausal: true)   // [B, H, T, D]
/// ```
public func scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, mask: AttentionMask? = nil,
                                      isCausal: Bool = false, dropout: Float = 0, scale: Float? = nil) -> Tensor {
    let additive = mask?.scoreOffsets
    let s = attentionShape(query, key, value, mask: additive, isCausal: isCausal, scale: scale)
    return attention([query, key, value], s, mask: additive, dropout: dropout, outShape: [s.batch, s.heads, s.queries, s.valueDim])
}

/// Self-attention straight from packed projections, without splitting or transposing them: `qkv` [B, T, 3·H·D]
/// holds each position's query, key and value side by side (as nanoGPT's `c_attn` output), each `heads` heads
/// of size D; the result [B, T, H·D] has the heads side by side (ready for the output projection). It equals
/// `scaledDotProductAttention` on the three parts reshaped to [B, T, H, D] and permuted to [B, H, T, D], with
/// the output permuted back, and takes the same `mask` (broadcast to [B, H, T, T]), `isCausal`, `dropout` and `scale`.
///
/// ```swift
/// let y = scaledDotProductAttention(packed: x.matmul(wQKV, transB: true), heads: 4, isCausal: true)   // [B, T, E]
/// ```
public func scaledDotProductAttention(packed qkv: Tensor, heads: Int, mask: AttentionMask? = nil, isCausal: Bool = false,
                                      dropout: Float = 0, scale: Float? = nil) -> Tensor {
    precondition(qkv.rank == 3 && heads > 0 && qkv.shape[2] % (3 * heads) == 0 && qkv.count > 0,
                 "scaledDotProductAttention: packed qkv \(qkv.shape) should be [B, T, 3·heads·D] with heads \(heads)")
    let (batch, length, d) = (qkv.shape[0], qkv.shape[1], qkv.shape[2] / (3 * heads))
    let additive = mask?.scoreOffsets
    let parts = (0..<3).map { AttentionOperandLayout.packed(part: $0, of: 3, heads: heads, rows: length, width: d) }
    let layouts = parts + [.packed(part: 0, of: 1, heads: heads, rows: length, width: d)]
    let s = AttentionShape(batch: batch, heads: heads, queries: length, keys: length, headDim: d, valueDim: d,
                           scale: resolvedScale(scale, headDim: d), isCausal: isCausal,
                           maskStrides: maskStrides(additive, scores: [batch, heads, length, length], "packed qkv \(qkv.shape)"),
                           layouts: layouts)
    return attention([qkv], s, mask: additive, dropout: dropout, outShape: [batch, length, heads * d])
}

/// Runs the kernel on `operands` (query, key, value, or the one packed tensor) and records the node.
private func attention(_ operands: [Tensor], _ s: AttentionShape, mask additive: Tensor?, dropout: Float, outShape: [Int]) -> Tensor {
    precondition(dropout >= 0 && dropout < 1, "scaledDotProductAttention: dropout \(dropout) must be in [0, 1)")
    let inputs = operands + (additive.map { [$0] } ?? [])
    let needsGrad = GradMode.isEnabled && inputs.contains { $0.node != nil }
    let scoreCount = s.pairs * s.scoreCount
    let drop = dropout > 0 ? dropoutMultipliers(count: scoreCount, p: dropout) : nil
    let weights = needsGrad ? TensorStorage.uninitialized(count: scoreCount) : nil
    let out = TensorStorage.uninitialized(count: Shape.count(outShape))
    let buffers = AttentionBuffers(mask: additive.map { UnsafePointer($0.storage.pointer) },
                                   dropout: drop.map { UnsafePointer($0.pointer) }, weights: weights?.pointer)
    let (q, k, v) = (operands[0], operands[operands.count > 1 ? 1 : 0], operands[operands.count > 1 ? 2 : 0])
    Backends.current.attentionForward(q.storage.pointer, k.storage.pointer, v.storage.pointer, out: out.pointer, buffers: buffers, s)
    guard let weights else { return Tensor(shape: outShape, storage: out, node: nil) }
    let saved = AttentionSaved(s, weights: weights, dropout: drop, packed: operands.count == 1)
    return .record(.attention(saved), inputs: inputs, shape: outShape, storage: out)
}

/// One multiplier per weight: 0 with probability p, else 1/(1 − p).
private func dropoutMultipliers(count: Int, p: Float) -> TensorStorage {
    let storage = TensorStorage.uninitialized(count: count)
    let kept = 1 / (1 - p)
    Random.with { g in
        for i in 0..<count { storage.pointer[i] = g.nextUniform() >= Double(p) ? kept : 0 }
    }
    return storage
}

/// The sizes of an attention call, after checking the operands' shapes.
private func attentionShape(_ q: Tensor, _ k: Tensor, _ v: Tensor, mask: Tensor?, isCausal: Bool, scale: Float?) -> AttentionShape {
    let shapes = "query \(q.shape), key \(k.shape), value \(v.shape)"
    precondition(q.rank == 4 && k.rank == 4 && v.rank == 4,
                 "scaledDotProductAttention: expected query [B, H, Tq, D], key [B, H, Tk, D], value [B, H, Tk, Dv]; got \(shapes)")
    precondition(q.shape[0] == k.shape[0] && k.shape[0] == v.shape[0] && q.shape[1] == k.shape[1] && k.shape[1] == v.shape[1],
                 "scaledDotProductAttention: batch and head sizes differ: \(shapes)")
    precondition(q.shape[3] == k.shape[3], "scaledDotProductAttention: query and key head sizes differ: \(shapes)")
    precondition(k.shape[2] == v.shape[2], "scaledDotProductAttention: key and value lengths differ: \(shapes)")
    precondition(q.count > 0 && k.count > 0 && v.count > 0, "scaledDotProductAttention: empty operand: \(shapes)")
    let scores = [q.shape[0], q.shape[1], q.shape[2], k.shape[2]]
    return AttentionShape(batch: q.shape[0], heads: q.shape[1], queries: q.shape[2], keys: k.shape[2], headDim: q.shape[3],
                          valueDim: v.shape[3], scale: resolvedScale(scale, headDim: q.shape[3]), isCausal: isCausal,
                          maskStrides: maskStrides(mask, scores: scores, shapes))
}

/// The mask's strides over the scores, after checking that it broadcasts to them; nil without a mask.
private func maskStrides(_ mask: Tensor?, scores: [Int], _ shapes: String) -> [Int]? {
    guard let mask else { return nil }
    precondition(mask.rank <= 4 && Shape.broadcast(mask.shape, scores) == scores,
                 "scaledDotProductAttention: mask \(mask.shape) does not broadcast to the scores \(scores) (\(shapes))")
    return Shape.broadcastStrides(mask.shape, to: scores)
}

/// `scale`, or 1/√headDim.
private func resolvedScale(_ scale: Float?, headDim: Int) -> Float {
    let scale = scale ?? 1 / Float(headDim).squareRoot()
    precondition(scale.isFinite, "scaledDotProductAttention: scale \(scale) is not finite")
    return scale
}
