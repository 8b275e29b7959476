/// Sizes of one scaled dot-product attention: q [batch, heads, queries, headDim], k [batch, heads, keys, headDim],
/// v [batch, heads, keys, valueDim] and out [batch, heads, queries, valueDim], all contiguous.
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

    package init(batch: Int, heads: Int, queries: Int, keys: Int, headDim: Int, valueDim: Int, scale: Float,
                 isCausal: Bool, maskStrides: [Int]?) {
        self.batch = batch
        self.heads = heads
        self.queries = queries
        self.keys = keys
        self.headDim = headDim
        self.valueDim = valueDim
        self.scale = scale
        self.isCausal = isCausal
        self.maskStrides = maskStrides
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
