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

    /// Nodes reachable from `root`, inputs before the ops that read them. The nodes are not retained:
    /// the caller keeps `root`, and so the whole graph, alive while it uses the order.
    static func topologicalOrder(from root: Node) -> [Unmanaged<Node>] {
        let mark = nextWalk()
        var order: [Unmanaged<Node>] = []
        var stack: [(node: Unmanaged<Node>, next: Int)] = [(.passUnretained(root), 0)]
        root.visitMark = mark
        while let (handle, next) = stack.last {
            // .none once every input is done; .some(nil) for an input outside the graph.
            let input: Unmanaged<Node>?? = handle._withUnsafeGuaranteedRef { node in
                next < node.inputCount ? .some(node.unretainedInputNode(next)) : .none
            }
            guard let input else {
                stack.removeLast()
                order.append(handle)
                continue
            }
            stack[stack.count - 1].next = next + 1
            guard let child = input else { continue }
            let unvisited = child._withUnsafeGuaranteedRef { child in
                guard child.visitMark != mark else { return false }
                child.visitMark = mark
                return true
            }
            if unvisited { stack.append((child, 0)) }
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
            withExtendedLifetime(rootNode) {
                let order = topologicalOrder(from: rootNode)
                rootNode.pending = seed
                for handle in order.reversed() {
                    let node = handle.takeUnretainedValue()
                    guard let grad = node.takePending() else { continue }
                    if capture != nil && keep.contains(ObjectIdentifier(node)) { capture?(node, grad) }
                    if node.isLeaf {
                        if capture == nil { node.grad = node.grad.map { $0 + grad } ?? grad }
                        continue
                    }
                    var inputGrads = Gradients.vjp(node, consume grad)
                    for index in 0..<Swift.min(node.inputCount, inputGrads.count) {
                        guard let child = node.unretainedInputNode(index), let g = inputGrads.take(index) else { continue }
                        precondition(g.shape == node.inputShape(index),
                                     "autograd: gradient of \(node.op) has shape \(g.shape), input has \(node.inputShape(index))")
                        child._withUnsafeGuaranteedRef { child in
                            if let earlier = child.takePending() {
                                child.pending = earlier + g
                            } else {
                                child.pending = g
                            }
                        }
                    }
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
