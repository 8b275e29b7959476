import NablaCore
import NablaBackend

/// One Transformer encoder block as `torch.nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout,
/// activation, batch_first=True, norm_first)`, with its state-dict names: `self_attn.*`, `linear1`, `linear2`,
/// `norm1`, `norm2`.
///
/// Post-norm (PyTorch's default): x = norm1(x + sa(x)), x = norm2(x + ff(x)).
/// Pre-norm (`normFirst`): x = x + sa(norm1(x)), x = x + ff(norm2(x)).
/// Here sa is self-attention then dropout, and ff is linear2(dropout(activation(linear1(x)))) then dropout.
///
/// ```swift
/// let block = TransformerEncoderLayer(dModel: 128, nHead: 4, dimFeedforward: 512, dropout: 0, activation: .gelu, normFirst: true)
/// let y = block(x, isCausal: true)   // x, y: [B, T, 128]
/// ```
public final class TransformerEncoderLayer: Module {
    /// The activation between the two feed-forward layers.
    public enum FeedforwardActivation: String, Sendable, CaseIterable {
        case relu, gelu
    }

    public let selfAttn: MultiheadAttention
    public let linear1: Linear, linear2: Linear
    public let norm1: LayerNorm, norm2: LayerNorm
    public let dropout: Dropout, dropout1: Dropout, dropout2: Dropout
    public let activation: FeedforwardActivation
    public let normFirst: Bool
    /// Whether `forward(_:)` masks future positions, for models that call it alone (`Sequential`, model specs).
    public var isCausal = false

    public init(dModel: Int, nHead: Int, dimFeedforward: Int = 2048, dropout: Float = 0.1, activation: FeedforwardActivation = .relu,
                normFirst: Bool = false, layerNormEps: Float = 1e-5, bias: Bool = true) {
        precondition(dimFeedforward > 0, "TransformerEncoderLayer: dimFeedforward \(dimFeedforward) must be positive")
        selfAttn = MultiheadAttention(embedDim: dModel, numHeads: nHead, dropout: dropout, bias: bias)
        linear1 = Linear(dModel, dimFeedforward, bias: bias)
        linear2 = Linear(dimFeedforward, dModel, bias: bias)
        norm1 = LayerNorm([dModel], eps: layerNormEps)
        norm2 = LayerNorm([dModel], eps: layerNormEps)
        (self.dropout, dropout1, dropout2) = (Dropout(dropout), Dropout(dropout), Dropout(dropout))
        (self.activation, self.normFirst) = (activation, normFirst)
        super.init()
    }

    public var dModel: Int { selfAttn.embedDim }

    override public var typeName: String {
        "TransformerEncoderLayer(\(dModel), heads: \(selfAttn.numHeads), \(normFirst ? "pre" : "post")-norm)"
    }

    override public var namedChildren: [(String, Module)] {
        [("self_attn", selfAttn), ("linear1", linear1), ("dropout", dropout), ("linear2", linear2), ("norm1", norm1),
         ("norm2", norm2), ("dropout1", dropout1), ("dropout2", dropout2)]
    }

    override public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        guard input.count == 3, input[2] == dModel else { throw ShapeError("\(typeName): expected input [B, T, \(dModel)], got \(input)") }
        return input
    }

    /// The block over [B, T, dModel], causal when `isCausal` is set.
    override public func forward(_ input: Tensor) -> Tensor { self(input, srcMask: nil, isCausal: isCausal) }

    /// The block over `src` [B, T, dModel], with PyTorch's `src_mask` ([T, T] or [B·H, T, T]),
    /// `src_key_padding_mask` ([B, T]) and a causal mask (see `MultiheadAttention`).
    public func callAsFunction(_ src: Tensor, srcMask: MultiheadAttentionMask?, srcKeyPaddingMask: MultiheadAttentionMask? = nil,
                               isCausal: Bool = false) -> Tensor {
        do { _ = try outputShape(for: src.shape) } catch { preconditionFailure("\(error)") }
        func attend(_ x: Tensor) -> Tensor {
            dropout1(selfAttn(query: x, key: x, value: x, keyPaddingMask: srcKeyPaddingMask, attnMask: srcMask,
                              needWeights: false, isCausal: isCausal).output)
        }
        if normFirst {
            let x = src + attend(norm1(src))
            return x + feedforward(norm2(x))
        }
        let x = norm1(src + attend(src))
        return norm2(x + feedforward(x))
    }

    /// The block with only a causal mask, as decoder-only models use it.
    public func callAsFunction(_ src: Tensor, isCausal: Bool) -> Tensor { self(src, srcMask: nil, isCausal: isCausal) }

    private func feedforward(_ x: Tensor) -> Tensor {
        let hidden = linear1(x)
        let activated = switch activation {
        case .relu: hidden.relu()
        case .gelu: hidden.gelu()
        }
        return dropout2(linear2(dropout(activated)))
    }
}
