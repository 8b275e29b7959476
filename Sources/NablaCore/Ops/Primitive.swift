import NablaBackend

/// Integer indices kept by a node (gather positions, max-pool winners).
package final class IndexStorage: @unchecked Sendable {
    let values: [Int32]
    init(_ values: [Int32]) { self.values = values }
}

/// The per-channel batch statistics a batch-norm node keeps for its gradient, and, when the
/// statistics span the processes of a group, what its gradient needs to span them too.
package final class ChannelStatistics: @unchecked Sendable {
    let mean: TensorStorage, invStd: TensorStorage
    let synchronization: ChannelSynchronization?
    init(mean: TensorStorage, invStd: TensorStorage, synchronization: ChannelSynchronization? = nil) {
        self.mean = mean
        self.invStd = invStd
        self.synchronization = synchronization
    }
}

/// A synchronised batch norm's group, this process's gradient weight as the forward pass saw it,
/// and the values per channel over all processes (the count its statistics divide by).
package struct ChannelSynchronization {
    let group: any CollectiveGroup
    let weight: Double
    let count: Double
}

/// The per-row statistics a layer-norm node keeps for its gradient, and which affine inputs follow x.
package final class RowStatistics: @unchecked Sendable {
    let mean: TensorStorage, invStd: TensorStorage
    let width: Int
    let hasWeight: Bool, hasBias: Bool
    init(mean: TensorStorage, invStd: TensorStorage, width: Int, hasWeight: Bool, hasBias: Bool) {
        (self.mean, self.invStd, self.width, self.hasWeight, self.hasBias) = (mean, invStd, width, hasWeight, hasBias)
    }
}

/// The primitive operations: everything else in Nabla is composed from these.
/// Each case has a kernel in `Backend` and exactly one gradient in `Autograd/Gradients.swift`.
package enum Primitive {
    case leaf
    case unary(any UnaryFunction)
    case binary(BinaryOp)
    /// inputs: a, b; the 0/1 mask is kept here.
    case select(mask: Tensor)
    /// Sum over one axis, keeping it with size 1.
    case sum(axis: Int)
    /// Max over one axis, keeping it with size 1; `indices` are the winners' positions along the axis.
    case max(axis: Int, indices: IndexStorage)
    case matmul(transA: Bool, transB: Bool)
    case reshape
    case permute([Int])
    case expand
    /// Elements `start ..< start + length` along `axis`.
    case slice(axis: Int, start: Int, length: Int)
    case pad(before: [Int], after: [Int], value: Float)
    case concat(axis: Int)
    /// `out[…, i, …] = in[…, index[…, i, …], …]` along `axis`; `index` has the output's shape.
    case gather(axis: Int, index: IndexStorage)
    /// Picks whole slices along `axis`.
    case indexSelect(axis: Int, index: IndexStorage)
    case conv2d(Window2d, hasBias: Bool)
    case maxPool2d(Window2d, winners: IndexStorage)
    case avgPool2d(Window2d, countIncludePad: Bool)
    /// inputs: x [N, C, …], weight [C], bias [C]; normalized with the batch's own statistics, or with
    /// those of the batch a group's processes hold together (`ChannelStatistics.synchronization`).
    case batchNorm(ChannelStatistics)
    /// inputs: x, then weight and bias [width] where given; each row of `width` trailing values normalized by its own
    /// statistics, as `torch.nn.functional.layer_norm`.
    case layerNorm(RowStatistics)
    case softmax(axis: Int)
    case logSoftmax(axis: Int)
    /// A whole LSTM layer over a sequence; inputs x, W_ih, W_hh, then bias, h0, c0 where given.
    case lstm(LSTMSaved)
    /// Scaled dot-product attention; inputs query, key, value, then the additive mask when given.
    case attention(AttentionSaved)
}
