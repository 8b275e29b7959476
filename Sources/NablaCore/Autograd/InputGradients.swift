/// The gradients `Gradients.vjp` gives a node's inputs, in input order, nil where an input gets none.
/// Up to two are held inline, so that the backward step of a one- or two-input op allocates no array:
/// at a small op's size that allocation costs more than the kernel. It cannot be copied, only moved: a copy
/// would count a reference up and down again for every gradient it holds.
struct InputGradients: ~Copyable {
    private var first: Tensor?
    private var second: Tensor?
    /// All of them, when there are more than two.
    private var more: [Tensor?]?
    /// How many inputs the gradients cover.
    let count: Int

    /// The gradient of a one-input op.
    @inline(__always)
    init(_ only: Tensor?) {
        first = only
        second = nil
        more = nil
        count = 1
    }

    /// The gradients of a two-input op.
    @inline(__always)
    init(_ a: Tensor?, _ b: Tensor?) {
        first = a
        second = b
        more = nil
        count = 2
    }

    /// No gradients, for an op without inputs.
    init() {
        self.init([])
    }

    @inline(__always)
    init(_ elements: [Tensor?]) {
        count = elements.count
        if elements.count <= 2 {
            first = elements.count > 0 ? elements[0] : nil
            second = elements.count > 1 ? elements[1] : nil
            more = nil
        } else {
            first = nil
            second = nil
            more = elements
        }
    }

    /// The gradient for input `index`, which is below `count`.
    subscript(index: Int) -> Tensor? {
        if let more { return more[index] }
        return index == 0 ? first : second
    }

    /// Moves the gradient for input `index` out, leaving nil: the backward walk hands each gradient on
    /// without copying it, which for a small op saves more reference counting than the kernel costs.
    @inline(__always)
    mutating func take(_ index: Int) -> Tensor? {
        guard more == nil else { return more![index].take() }
        return index == 0 ? first.take() : second.take()
    }
}
