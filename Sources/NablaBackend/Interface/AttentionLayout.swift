/// Where the (batch, head) matrices of one attention operand lie in its buffer, in elements: pair (b, h)'s
/// matrix starts at offset + b·batchStride + h·headStride, its rows `rowStride` apart, each row contiguous.
/// Contiguous [B, H, T, W] is one layout; the packed projections [B, T, parts·H·W] of a self-attention
/// (q, k, v side by side, heads side by side) are another, read and written without a copy.
package struct AttentionOperandLayout: Equatable, Sendable {
    package let offset: Int, batchStride: Int, headStride: Int, rowStride: Int

    package init(offset: Int, batchStride: Int, headStride: Int, rowStride: Int) {
        self.offset = offset
        self.batchStride = batchStride
        self.headStride = headStride
        self.rowStride = rowStride
    }

    /// A contiguous [B, heads, rows, width] tensor.
    package static func contiguous(heads: Int, rows: Int, width: Int) -> Self {
        Self(offset: 0, batchStride: heads * rows * width, headStride: rows * width, rowStride: width)
    }

    /// Part `part` of a [B, rows, parts·heads·width] tensor, whose rows hold `parts` blocks of `heads` heads.
    package static func packed(part: Int, of parts: Int, heads: Int, rows: Int, width: Int) -> Self {
        let row = parts * heads * width
        return Self(offset: part * heads * width, batchStride: rows * row, headStride: width, rowStride: row)
    }

    /// The first element of pair p = b·heads + h.
    @inline(__always) package func start(pair p: Int, heads: Int) -> Int {
        offset + (p / heads) * batchStride + (p % heads) * headStride
    }
}

/// Sizes of one scaled dot-product attention: q [batch, heads, queries, headDim], k [batch, heads, keys, headDim],
/// v [batch, heads, keys, valueDim] and out [batch, heads, queries, valueDim], each laid out as its
/// `AttentionOperandLayout` says (contiguous unless given); the gradients of q, k and v take their operands' layouts.
///
/// Query row i may attend to keys 0 ..< `keyLimit(i)`: all of them, or under `isCausal` those with
/// j ≤ i + keys − queries (the causal mask aligned to the bottom-right corner, so that a query block that
/// continues a key/value cache sees the whole cache; it is PyTorch's top-left one when queries == keys).
/// An additive mask, when given, is read through `maskStrides` over [batch, heads, queries, keys]
/// (0 along broadcast dimensions), so that a [B, 1, 1, Tk] padding mask is never expanded.
package struct AttentionShape: Equatable, Sendable {
    package let batch: Int, heads: Int, queries: Int, keys: Int, headDim: Int, valueDim: Int
    /// The factor on q·kᵀ, usually 1/√headDim.
    package let scale: Float
    package let isCausal: Bool
    /// Strides of the additive mask over [batch, heads, queries, keys]; nil without a mask.
    package let maskStrides: [Int]?
    package let query: AttentionOperandLayout, key: AttentionOperandLayout, value: AttentionOperandLayout
    package let output: AttentionOperandLayout

    /// Contiguous operands unless `layouts` (query, key, value, output) are given.
    package init(batch: Int, heads: Int, queries: Int, keys: Int, headDim: Int, valueDim: Int, scale: Float,
                 isCausal: Bool, maskStrides: [Int]?, layouts: [AttentionOperandLayout]? = nil) {
        self.batch = batch
        self.heads = heads
        self.queries = queries
        self.keys = keys
        self.headDim = headDim
        self.valueDim = valueDim
        self.scale = scale
        self.isCausal = isCausal
        self.maskStrides = maskStrides
        let l = layouts ?? [.contiguous(heads: heads, rows: queries, width: headDim), .contiguous(heads: heads, rows: keys, width: headDim),
                            .contiguous(heads: heads, rows: keys, width: valueDim), .contiguous(heads: heads, rows: queries, width: valueDim)]
        precondition(l.count == 4, "AttentionShape: give the layouts of query, key, value and output")
        (query, key, value, output) = (l[0], l[1], l[2], l[3])
    }

    /// The independent (batch, head) pairs.
    package var pairs: Int { batch * heads }
    /// Elements of one score matrix, queries × keys.
    package var scoreCount: Int { queries * keys }

    /// The number of keys query row `i` may attend to (0 when a causal row lies above the key block).
    @inline(__always) package func keyLimit(_ i: Int) -> Int {
        isCausal ? Swift.min(keys, Swift.max(0, i + keys - queries + 1)) : keys
    }

    /// The offset of the mask row (pair p = b·heads + h, query i); add j·maskStrides[3] for key j.
    @inline(__always) package func maskRow(pair p: Int, query i: Int) -> Int {
        guard let s = maskStrides else { return 0 }
        return (p / heads) * s[0] + (p % heads) * s[1] + i * s[2]
    }
}

/// The buffers of an attention forward pass. `weights`, when given, receives the softmax weights
/// [batch, heads, queries, keys] before dropout (0 beyond each row's key limit) for the backward pass.
/// `dropout`, when given, holds a multiplier per weight (0, or 1/(1 − p) for a kept one), applied after
/// the softmax.
package struct AttentionBuffers {
    package let mask: UnsafePointer<Float>?
    package let dropout: UnsafePointer<Float>?
    package let weights: UnsafeMutablePointer<Float>?

    package init(mask: UnsafePointer<Float>?, dropout: UnsafePointer<Float>?, weights: UnsafeMutablePointer<Float>?) {
        self.mask = mask
        self.dropout = dropout
        self.weights = weights
    }
}

/// Where the attention backward pass writes; a nil gradient is not computed. `dMask` is the gradient of
/// the scores after the mask was added, [batch, heads, queries, keys], for a mask that takes a gradient.
package struct AttentionGradients {
    package let dq: UnsafeMutablePointer<Float>?, dk: UnsafeMutablePointer<Float>?, dv: UnsafeMutablePointer<Float>?
    package let dMask: UnsafeMutablePointer<Float>?

    package init(dq: UnsafeMutablePointer<Float>?, dk: UnsafeMutablePointer<Float>?, dv: UnsafeMutablePointer<Float>?,
                 dMask: UnsafeMutablePointer<Float>?) {
        self.dq = dq
        self.dk = dk
        self.dv = dv
        self.dMask = dMask
    }
}
