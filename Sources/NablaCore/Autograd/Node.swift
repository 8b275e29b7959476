import NablaBackend

/// One recorded operation in the autograd graph: the primitive, the tensors it read and the
/// gradient accumulated for its output during `backward()`.
///
/// The first two inputs are held inline, so that recording a one- or two-input op allocates no array:
/// at a small op's size that allocation, and freeing it again, costs more than the kernel.
package final class Node {
    let op: Primitive
    /// Inputs 0 and 1, when the op has that many.
    private let first: Tensor?, second: Tensor?
    /// Inputs from 2 on; empty (and unallocated) for ops of one or two inputs.
    private let more: [Tensor]
    /// How many inputs the op read.
    let inputCount: Int
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

    /// A recorded op of one input.
    init(op: Primitive, input: Tensor) {
        self.op = op
        (first, second, more, inputCount, isLeaf) = (input, nil, [], 1, false)
    }

    /// A recorded op of two inputs.
    init(op: Primitive, _ a: Tensor, _ b: Tensor) {
        self.op = op
        (first, second, more, inputCount, isLeaf) = (a, b, [], 2, false)
    }

    /// A recorded op of any number of inputs.
    init(op: Primitive, inputs: [Tensor]) {
        self.op = op
        first = inputs.first
        second = inputs.count > 1 ? inputs[1] : nil
        more = inputs.count > 2 ? Array(inputs[2...]) : []
        inputCount = inputs.count
        isLeaf = false
    }

    private init() {
        op = .leaf
        (first, second, more, inputCount, isLeaf) = (nil, nil, [], 0, true)
    }

    static func leaf() -> Node { Node() }

    /// Input `index`, which is below `inputCount`.
    @inline(__always)
    func input(_ index: Int) -> Tensor {
        switch index {
        case 0: first!
        case 1: second!
        default: more[index - 2]
        }
    }

    /// The node of input `index`, nil where that input needs no gradient.
    @inline(__always)
    func inputNode(_ index: Int) -> Node? {
        switch index {
        case 0: first?.node
        case 1: second?.node
        default: more[index - 2].node
        }
    }

    /// The shape of input `index`.
    @inline(__always)
    func inputShape(_ index: Int) -> [Int] {
        switch index {
        case 0: first!.shape
        case 1: second!.shape
        default: more[index - 2].shape
        }
    }

    /// Moves the pending gradient out, leaving nil.
    @inline(__always)
    func takePending() -> Tensor? {
        var taken: Tensor? = nil
        swap(&taken, &pending)
        return taken
    }

    /// Every input, in order (an array: for ops of any arity, off the one- and two-input paths).
    var inputs: [Tensor] {
        switch inputCount {
        case 0: []
        case 1: [first!]
        default: [first!, second!] + more
        }
    }
}
