import NablaBackend

extension Tensor {
    /// [outer, n, inner] around `axis`.
    func split(at axis: Int) -> (outer: Int, n: Int, inner: Int) {
        (Shape.count(Array(shape[..<axis])), shape[axis], Shape.count(Array(shape[(axis + 1)...])))
    }

    /// Sum over one normalized axis, keeping it with size 1 (the primitive).
    func sumKeeping(axis: Int) -> Tensor {
        let (outer, n, inner) = split(at: axis)
        var outShape = shape
        outShape[axis] = 1
        let out = TensorStorage.uninitialized(count: outer * inner)
        Backends.current.sum(storage.pointer, out.pointer, outer: outer, n: n, inner: inner)
        return .record(.sum(axis: axis), input: self, shape: outShape, storage: out)
    }

    /// Max over one normalized axis, keeping it with size 1 (the primitive).
    func maxKeeping(axis: Int) -> (values: Tensor, indices: [Int32]) {
        let (outer, n, inner) = split(at: axis)
        precondition(n > 0, "max: cannot reduce over empty axis \(axis) of shape \(shape)")
        var outShape = shape
        outShape[axis] = 1
        let out = TensorStorage.uninitialized(count: outer * inner)
        var indices = [Int32](repeating: 0, count: outer * inner)
        indices.withUnsafeMutableBufferPointer {
            Backends.current.max(storage.pointer, out.pointer, index: $0.baseAddress!, outer: outer, n: n, inner: inner)
        }
        let saved = IndexStorage(indices)
        return (.record(.max(axis: axis, indices: saved), input: self, shape: outShape, storage: out), indices)
    }

    /// Normalized, sorted, de-duplicated axes; `nil` means all of them.
    func normalizedAxes(_ axes: [Int]?, op: String) -> [Int] {
        guard let axes else { return Array(0..<rank) }
        let normalized = axes.map { Shape.normalize(axis: $0, rank: rank, op: op, shape: shape) }
        precondition(Set(normalized).count == normalized.count, "\(op): axis repeated in \(axes) for shape \(shape)")
        return normalized.sorted()
    }

    /// Drops the (size-1) reduced axes unless `keepDims`.
    func dropping(_ axes: [Int], keepDims: Bool) -> Tensor {
        if keepDims || rank == 0 { return self }
        let kept = shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
        return reshape(kept)
    }

    /// Sum over `axes` (all when `nil`), as `torch.sum(x, dim, keepdim)`.
    public func sum(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let list = normalizedAxes(axes, op: "sum")
        var result = self
        for axis in list { result = result.sumKeeping(axis: axis) }
        return result.dropping(list, keepDims: keepDims)
    }

    /// Sum over one axis.
    public func sum(axis: Int, keepDims: Bool = false) -> Tensor { sum(axes: [axis], keepDims: keepDims) }

    /// Mean over `axes` (all when `nil`).
    public func mean(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let list = normalizedAxes(axes, op: "mean")
        let n = list.reduce(1) { $0 * shape[$1] }
        return sum(axes: list, keepDims: keepDims) * (1 / Float(n))
    }

    /// Mean over one axis.
    public func mean(axis: Int, keepDims: Bool = false) -> Tensor { mean(axes: [axis], keepDims: keepDims) }

    /// Maximum over `axes` (all when `nil`); the gradient goes to the first maximal element.
    public func max(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let list = normalizedAxes(axes, op: "max")
        var result = self
        for axis in list { result = result.maxKeeping(axis: axis).values }
        return result.dropping(list, keepDims: keepDims)
    }

    /// Maximum over one axis.
    public func max(axis: Int, keepDims: Bool = false) -> Tensor { max(axes: [axis], keepDims: keepDims) }

    /// Minimum over `axes` (all when `nil`), as `-max(-x)`.
    public func min(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor { -((-self).max(axes: axes, keepDims: keepDims)) }

    /// Minimum over one axis.
    public func min(axis: Int, keepDims: Bool = false) -> Tensor { min(axes: [axis], keepDims: keepDims) }

    /// Indices of the maxima along `axis` (first on ties), as a float tensor of integers. No gradient.
    public func argmax(axis: Int, keepDims: Bool = false) -> Tensor {
        let a = Shape.normalize(axis: axis, rank: rank, op: "argmax", shape: shape)
        let (_, indices) = detached().maxKeeping(axis: a)
        var outShape = shape
        outShape[a] = 1
        return Tensor(shape: outShape, scalars: indices.map(Float.init)).dropping([a], keepDims: keepDims)
    }

    /// Variance over `axes`; `unbiased` divides by n − 1 (Bessel), as `torch.var`'s default.
    public func variance(axes: [Int]? = nil, unbiased: Bool = true, keepDims: Bool = false) -> Tensor {
        let list = normalizedAxes(axes, op: "variance")
        let n = list.reduce(1) { $0 * shape[$1] }
        let centered = self - mean(axes: list, keepDims: true)
        let divisor = Float(unbiased ? Swift.max(n - 1, 0) : n)
        return centered.squared().sum(axes: list, keepDims: keepDims) * (1 / divisor)
    }

    /// Variance over one axis.
    public func variance(axis: Int, unbiased: Bool = true, keepDims: Bool = false) -> Tensor {
        variance(axes: [axis], unbiased: unbiased, keepDims: keepDims)
    }

    /// log Σ exp(x) over `axes`, shifted by the maximum so it never overflows.
    public func logsumexp(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let list = normalizedAxes(axes, op: "logsumexp")
        let peak = withNoGrad { max(axes: list, keepDims: true) }
        let safePeak = Tensor.where(peak.abs() .== Float.infinity, Tensor.zeros(peak.shape), peak)
        let result = (self - safePeak).exp().sum(axes: list, keepDims: true).log() + safePeak
        return result.dropping(list, keepDims: keepDims)
    }

    /// logsumexp over one axis.
    public func logsumexp(axis: Int, keepDims: Bool = false) -> Tensor { logsumexp(axes: [axis], keepDims: keepDims) }
}
