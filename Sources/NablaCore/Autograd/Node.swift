import NablaBackend

/// One recorded operation in the autograd graph: the primitive, the tensors it read and the
/// gradient accumulated for its output during `backward()`.
///
/// The first two inputs are held inline, so that recording a one- or two-input op allocates no array:
/// at a small op's size that allocation, and freeing it again, costs more than the kernel.
package final class Node {
    let op: Primitive
    // The inputs change only in `deinit`, where nothing else can reach the node, so they skip the run-time
    // exclusivity check that every read of a class's `var` would otherwise pay.
    /// Inputs 0 and 1, when the op has that many.
    @exclusivity(unchecked) private var first: Tensor?
    @exclusivity(unchecked) private var second: Tensor?
    /// Inputs from 2 on; empty (and unallocated) for ops of one or two inputs.
    @exclusivity(unchecked) private var more: [Tensor]
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
    /// The most ops on a path from this node down to a leaf: how deep freeing it would recurse.
    let depth: Int
    /// The nodes of inputs 0 and 1, unretained (`first` and `second` hold them), for the graph walk to read
    /// without counting references.
    private let firstNode: Unmanaged<Node>?, secondNode: Unmanaged<Node>?

    /// A recorded op of one input.
    init(op: consuming Primitive, input: consuming Tensor) {
        depth = (input.node?.depth ?? 0) + 1
        self.op = op
        first = input
        second = nil
        firstNode = input.node.map(Unmanaged.passUnretained)
        secondNode = nil
        more = []
        inputCount = 1
        isLeaf = false
    }

    /// A recorded op of two inputs.
    init(op: consuming Primitive, _ a: consuming Tensor, _ b: consuming Tensor) {
        depth = Swift.max(a.node?.depth ?? 0, b.node?.depth ?? 0) + 1
        self.op = op
        first = a
        second = b
        firstNode = a.node.map(Unmanaged.passUnretained)
        secondNode = b.node.map(Unmanaged.passUnretained)
        more = []
        inputCount = 2
        isLeaf = false
    }

    /// A recorded op of any number of inputs.
    init(op: Primitive, inputs: [Tensor]) {
        self.op = op
        first = inputs.first
        second = inputs.count > 1 ? inputs[1] : nil
        firstNode = first?.node.map(Unmanaged.passUnretained)
        secondNode = second?.node.map(Unmanaged.passUnretained)
        more = inputs.count > 2 ? Array(inputs[2...]) : []
        inputCount = inputs.count
        isLeaf = false
        depth = (inputs.lazy.compactMap { $0.node?.depth }.max() ?? 0) + 1
    }

    private init() {
        op = .leaf
        (first, second, more, inputCount, isLeaf) = (nil, nil, [], 0, true)
        (firstNode, secondNode) = (nil, nil)
        depth = 0
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

    /// The node of input `index`, unretained: valid while this node lives.
    @inline(__always)
    func unretainedInputNode(_ index: Int) -> Unmanaged<Node>? {
        switch index {
        case 0: firstNode
        case 1: secondNode
        default: more[index - 2].node.map(Unmanaged.passUnretained)
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

    /// The storage of input `index`.
    @inline(__always)
    func inputStorage(_ index: Int) -> TensorStorage {
        switch index {
        case 0: first!.storage
        case 1: second!.storage
        default: more[index - 2].storage
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

    /// Graphs up to this deep are freed the ordinary way, one nested release per op; deeper ones one node
    /// at a time (`deinit`). 256 nested releases take a few tens of KiB of stack.
    static let recursionLimit = 256

    // Freeing the output of a long chain the ordinary way frees each node from inside the deinit of the
    // node that read it: one stack frame per op, enough to overflow a thread's stack. A node deeper than
    // `recursionLimit` instead takes over every deep input node that nothing else holds, and frees them
    // one at a time; shallower ones are left to the ordinary, bounded recursion.
    deinit {
        // An orphan freed by the loop below arrives here with its inputs already dropped.
        guard depth > Node.recursionLimit, first != nil else { return }
        var orphans: [Node] = []
        detachInputs(into: &orphans)
        while let node = orphans.popLast() {
            node.detachInputs(into: &orphans)
        }
    }

    /// Drops the inputs, moving each deep input node that only this node held into `orphans`.
    private func detachInputs(into orphans: inout [Node]) {
        Node.adopt(first.take(), into: &orphans)
        guard inputCount > 1 else { return }
        Node.adopt(second.take(), into: &orphans)
        while let last = more.popLast() {
            Node.adopt(last, into: &orphans)
        }
    }

    /// Keeps `input`'s node in `orphans` if it is deep and `input` held the last reference to it.
    private static func adopt(_ input: consuming Tensor?, into orphans: inout [Node]) {
        var node = input?.node
        input = nil
        guard var held = node.take(), held.depth > recursionLimit, isKnownUniquelyReferenced(&held) else { return }
        orphans.append(held)
    }
}
