import Foundation
import NablaBackend

/// The graph walk behind `backward()` and `gradients(of:withRespectTo:)`.
package enum Engine {
    nonisolated(unsafe) private static var walkCount: UInt64 = 0
    private static let walkLock = NSLock()

    /// A number no earlier walk used, to mark the nodes this walk visits.
    private static func nextWalk() -> UInt64 {
        walkLock.lock()
        defer { walkLock.unlock() }
        walkCount += 1
        return walkCount
    }

    /// Nodes reachable from `root`, inputs before the ops that read them.
    static func topologicalOrder(from root: Node) -> [Node] {
        let mark = nextWalk()
        var order: [Node] = []
        var stack: [(node: Node, next: Int)] = [(root, 0)]
        root.visitMark = mark
        while !stack.isEmpty {
            let top = stack.count - 1
            let (node, next) = stack[top]
            if next < node.inputs.count {
                stack[top].next = next + 1
                if let child = node.inputs[next].node, child.visitMark != mark {
                    child.visitMark = mark
                    stack.append((child, 0))
                }
            } else {
                stack.removeLast()
                order.append(node)
            }
        }
        return order
    }

    /// Propagates `seed` from `root` back through the graph. Leaf gradients accumulate into
    /// `Node.grad`; intermediate gradients are freed as soon as they are used. When `capture` is
    /// given, leaves are left alone and the final gradient of every node in `keep` is reported.
    static func run(root: Tensor, seed: Tensor, keep: Set<ObjectIdentifier> = [],
                    capture: ((Node, Tensor) -> Void)? = nil) {
        guard let rootNode = root.node else { return }
        withNoGrad {
            let order = topologicalOrder(from: rootNode)
            rootNode.pending = seed
            for node in order.reversed() {
                guard let grad = node.pending else { continue }
                node.pending = nil
                if capture != nil && keep.contains(ObjectIdentifier(node)) { capture?(node, grad) }
                if node.isLeaf {
                    if capture == nil { node.grad = node.grad.map { $0 + grad } ?? grad }
                    continue
                }
                let inputGrads = Gradients.vjp(node, grad)
                for (index, input) in node.inputs.enumerated() where index < inputGrads.count {
                    guard let child = input.node, let g = inputGrads[index] else { continue }
                    precondition(g.shape == input.shape,
                                 "autograd: gradient of \(node.op) has shape \(g.shape), input has \(input.shape)")
                    child.pending = child.pending.map { $0 + g } ?? g
                }
            }
        }
    }
}

extension Tensor {
    /// Back-propagates from this tensor, accumulating into the `grad` of every leaf that requires one.
    /// A non-scalar tensor needs the `gradient` of some scalar with respect to it.
    public func backward(_ gradient: Tensor? = nil) {
        precondition(node != nil, "backward: tensor of shape \(shape) does not require grad (is it detached, or made under withNoGrad?)")
        if let gradient {
            precondition(gradient.shape == shape, "backward: gradient shape \(gradient.shape) differs from tensor shape \(shape)")
        } else {
            precondition(count == 1, "backward: tensor of shape \(shape) is not a scalar; pass a gradient")
        }
        Engine.run(root: self, seed: gradient?.detached() ?? Tensor.ones(shape))
    }

    /// The gradient accumulated by `backward()` for this leaf, or `nil` if none has arrived.
    public var grad: Tensor? { node?.grad }

    /// Clears the accumulated gradient of this leaf.
    public func zeroGrad() { node?.grad = nil }
}

/// The gradients of the scalar `output` with respect to each of `inputs`, without touching
/// their accumulated `grad`. An input that `output` does not depend on gets zeros.
///
/// ```swift
/// let x = Tensor([1, 2, 3], requiresGrad: true)
/// let (dx) = gradients(of: (x * x).sum(), withRespectTo: [x])[0]   // [2, 4, 6]
/// ```
public func gradients(of output: Tensor, withRespectTo inputs: [Tensor]) -> [Tensor] {
    precondition(output.count == 1, "gradients: output of shape \(output.shape) is not a scalar")
    for (i, input) in inputs.enumerated() {
        precondition(input.node != nil, "gradients: input \(i) of shape \(input.shape) does not require grad")
    }
    let ids = Set(inputs.compactMap { $0.node.map(ObjectIdentifier.init) })
    var found: [ObjectIdentifier: Tensor] = [:]
    if output.node != nil {
        Engine.run(root: output, seed: Tensor.ones(output.shape), keep: ids) { node, grad in
            found[ObjectIdentifier(node)] = grad
        }
    }
    return inputs.map { input in found[ObjectIdentifier(input.node!)] ?? Tensor.zeros(input.shape) }
}
