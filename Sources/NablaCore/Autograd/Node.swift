import NablaBackend

/// One recorded operation in the autograd graph: the primitive, the tensors it read and the
/// gradient accumulated for its output during `backward()`.
package final class Node {
    let op: Primitive
    let inputs: [Tensor]
    /// The output's storage, kept only for primitives whose gradient reuses the result
    /// (exp, tanh, sigmoid, softmax…), as PyTorch saves it.
    var savedOutput: TensorStorage?
    package var grad: Tensor?
    /// The gradient gathered so far during one backward walk.
    var pending: Tensor?
    /// The number of the walk that last visited this node.
    var visitMark: UInt64 = 0
    /// Whether `op` is `.leaf`, kept apart so that the backward walk need not copy `op` to ask.
    let isLeaf: Bool

    /// A recorded op; leaves come from `leaf()`.
    init(op: Primitive, inputs: [Tensor]) {
        self.op = op
        self.inputs = inputs
        isLeaf = false
    }

    private init() {
        op = .leaf
        inputs = []
        isLeaf = true
    }

    static func leaf() -> Node { Node() }
}
