import NablaBackend

extension Tensor {
    /// The same elements in a new shape (one entry may be -1); shares storage, no copy.
    public func reshape(_ newShape: [Int]) -> Tensor {
        if let message = Shape.reshapeError(shape, newShape) { preconditionFailure(message) }
        var target = newShape
        if let hole = target.firstIndex(of: -1) {
            target[hole] = count / target.filter { $0 != -1 }.reduce(1, *)
        }
        if target == shape { return self }
        return .record(.reshape, input: self, shape: target, storage: storage)
    }

    /// Merges dimensions `startDim...endDim` into one, as `torch.flatten`.
    public func flatten(startDim: Int = 0, endDim: Int = -1) -> Tensor {
        if rank == 0 { return reshape([1]) }
        let s = Shape.normalize(axis: startDim, rank: rank, op: "flatten", shape: shape)
        let e = Shape.normalize(axis: endDim, rank: rank, op: "flatten", shape: shape)
        precondition(s <= e, "flatten: startDim \(startDim) comes after endDim \(endDim) for shape \(shape)")
        return reshape(Array(shape[..<s]) + [Shape.count(Array(shape[s...e]))] + Array(shape[(e + 1)...]))
    }

    /// Reorders the dimensions: result dimension i is this tensor's dimension `dims[i]`.
    public func permute(_ dims: [Int]) -> Tensor {
        let order = dims.map { Shape.normalize(axis: $0, rank: rank, op: "permute", shape: shape) }
        precondition(order.count == rank && Set(order).count == rank,
                     "permute: \(dims) is not a permutation of the \(rank) dimensions of \(shape)")
        if order == Array(0..<rank) { return self }
        let strides = Shape.strides(shape)
        let outShape = order.map { shape[$0] }
        let out = TensorStorage.uninitialized(count: count)
        Backends.current.stridedRead(storage.pointer, offset: 0, strides: order.map { strides[$0] }, out.pointer, shape: outShape)
        return .record(.permute(order), input: self, shape: outShape, storage: out)
    }

    /// Swaps two dimensions.
    public func transpose(_ dim0: Int = -2, _ dim1: Int = -1) -> Tensor {
        let a = Shape.normalize(axis: dim0, rank: rank, op: "transpose", shape: shape)
        let b = Shape.normalize(axis: dim1, rank: rank, op: "transpose", shape: shape)
        var order = Array(0..<rank)
        order.swapAt(a, b)
        return permute(order)
    }

    /// The 2-D transpose.
    public var T: Tensor { transpose(0, 1) }

    /// Broadcasts to `target` by numpy's rules (size-1 or missing leading dimensions grow).
    public func expand(to target: [Int]) -> Tensor {
        if target == shape { return self }
        precondition(Shape.broadcast(shape, target) == target, "expand: shape \(shape) cannot be expanded to \(target)")
        let out = TensorStorage.uninitialized(count: Shape.count(target))
        Backends.current.stridedRead(storage.pointer, offset: 0, strides: Shape.broadcastStrides(shape, to: target), out.pointer,
                                     shape: target)
        return .record(.expand, input: self, shape: target, storage: out)
    }

    /// Removes `axis` if it has size 1, or every size-1 axis when `axis` is nil.
    public func squeeze(axis: Int? = nil) -> Tensor {
        guard let axis else { return reshape(shape.filter { $0 != 1 }) }
        let a = Shape.normalize(axis: axis, rank: rank, op: "squeeze", shape: shape)
        if shape[a] != 1 { return self }
        var s = shape
        s.remove(at: a)
        return reshape(s)
    }

    /// Inserts a size-1 axis at `axis` (which may equal the rank, or be negative as in PyTorch).
    public func unsqueeze(axis: Int) -> Tensor {
        let a = Shape.normalize(axis: axis, rank: rank + 1, op: "unsqueeze", shape: shape)
        var s = shape
        s.insert(1, at: a)
        return reshape(s)
    }

    /// Elements `start ..< start + length` along `axis`, as `torch.narrow`.
    public func narrow(axis: Int, start: Int, length: Int) -> Tensor {
        let a = Shape.normalize(axis: axis, rank: rank, op: "narrow", shape: shape)
        let begin = start < 0 ? start + shape[a] : start
        precondition(begin >= 0 && length >= 0 && begin + length <= shape[a],
                     "narrow: range \(start)..<\(start + length) is outside axis \(axis) of size \(shape[a]) in \(shape)")
        if begin == 0 && length == shape[a] { return self }
        var outShape = shape
        outShape[a] = length
        let strides = Shape.strides(shape)
        let out = TensorStorage.uninitialized(count: Shape.count(outShape))
        Backends.current.stridedRead(storage.pointer, offset: begin * strides[a], strides: strides, out.pointer, shape: outShape)
        return .record(.slice(axis: a, start: begin, length: length), input: self, shape: outShape, storage: out)
    }

    /// The elements in `range` along `axis`.
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor { narrow(axis: axis, start: range.lowerBound, length: range.count) }

    /// The i-th entry along the first axis, with that axis removed.
    public subscript(index i: Int) -> Tensor {
        precondition(rank > 0, "subscript: cannot index a 0-d tensor")
        return narrow(axis: 0, start: i, length: 1).squeeze(axis: 0)
    }

    /// Pads each dimension with `value`: `widths[d] = (before, after)`, listed from the first dimension.
    /// For PyTorch's `F.pad` order (last dimension first), see `pad(torchOrder:value:)`.
    public func pad(_ widths: [(before: Int, after: Int)], value: Float = 0) -> Tensor {
        precondition(widths.count == rank, "pad: \(widths.count) pad widths for shape \(shape) of rank \(rank)")
        precondition(widths.allSatisfy { $0.before >= 0 && $0.after >= 0 }, "pad: negative width in \(widths.map { [$0.before, $0.after] })")
        let before = widths.map(\.before), after = widths.map(\.after)
        let outShape = zip(shape, widths).map { $0 + $1.before + $1.after }
        let out = TensorStorage.repeating(value, count: Shape.count(outShape))
        let outStrides = Shape.strides(outShape)
        let offset = zip(before, outStrides).map { $0 * $1 }.reduce(0, +)
        Backends.current.stridedWrite(storage.pointer, shape: shape, out.pointer, offset: offset, strides: outStrides)
        return .record(.pad(before: before, after: after, value: value), input: self, shape: outShape, storage: out)
    }

    /// Pads as `torch.nn.functional.pad(x, pad, value=value)`: pairs for the last dimension first.
    public func pad(torchOrder pads: [Int], value: Float = 0) -> Tensor {
        precondition(pads.count % 2 == 0 && pads.count / 2 <= rank, "pad: \(pads) is not a list of pairs for shape \(shape)")
        var widths = [(before: Int, after: Int)](repeating: (0, 0), count: rank)
        for pair in 0..<(pads.count / 2) { widths[rank - 1 - pair] = (pads[2 * pair], pads[2 * pair + 1]) }
        return pad(widths, value: value)
    }

    /// Joins tensors along an existing axis; all other dimensions must match.
    public static func cat(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        precondition(!tensors.isEmpty, "cat: no tensors to join")
        let first = tensors[0]
        let a = Shape.normalize(axis: axis, rank: first.rank, op: "cat", shape: first.shape)
        for t in tensors {
            var expected = first.shape, got = t.shape
            if expected.count == got.count { expected[a] = 0; got[a] = 0 }
            precondition(expected == got, "cat: shapes \(first.shape) and \(t.shape) differ outside axis \(axis)")
        }
        var outShape = first.shape
        outShape[a] = tensors.reduce(0) { $0 + $1.shape[a] }
        let out = TensorStorage.uninitialized(count: Shape.count(outShape))
        let outStrides = Shape.strides(outShape)
        var start = 0
        let backend = Backends.current
        for t in tensors {
            backend.stridedWrite(t.storage.pointer, shape: t.shape, out.pointer, offset: start * outStrides[a], strides: outStrides)
            start += t.shape[a]
        }
        return .record(.concat(axis: a), inputs: tensors, shape: outShape, storage: out)
    }

    /// Joins same-shape tensors along a new axis.
    public static func stack(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        precondition(!tensors.isEmpty, "stack: no tensors to stack")
        for t in tensors { precondition(t.shape == tensors[0].shape, "stack: shapes \(tensors[0].shape) and \(t.shape) differ") }
        return cat(tensors.map { $0.unsqueeze(axis: axis) }, axis: axis)
    }

    /// Validates integral indices in `0..<limit` and converts them.
    func indices(limit: Int, op: String, axisShape: [Int]) -> [Int32] {
        scalars.map { v in
            let i = Int(v)
            precondition(Float(i) == v && i >= 0 && i < limit,
                         "\(op): index \(v) is out of range for dimension of size \(limit) in \(axisShape)")
            return Int32(i)
        }
    }

    /// Whole slices along `axis` picked by a 1-D tensor of indices, as `torch.index_select`.
    public func indexSelect(axis: Int, index: Tensor) -> Tensor {
        let a = Shape.normalize(axis: axis, rank: rank, op: "indexSelect", shape: shape)
        precondition(index.rank <= 1, "indexSelect: index must be 1-D, got shape \(index.shape)")
        let ids = index.indices(limit: shape[a], op: "indexSelect", axisShape: shape)
        let (outer, n, inner) = split(at: a)
        var outShape = shape
        outShape[a] = ids.count
        let out = TensorStorage.uninitialized(count: Shape.count(outShape))
        Backends.current.indexSelect(storage.pointer, index: ids, out.pointer, outer: outer, n: n, inner: inner)
        return .record(.indexSelect(axis: a, index: IndexStorage(ids)), input: self, shape: outShape, storage: out)
    }

    /// `out[…, j, …] = x[…, index[…, j, …], …]` along `axis`, as `torch.gather`. `index` has this
    /// tensor's rank and no larger a size outside `axis`.
    public func gather(axis: Int, index: Tensor) -> Tensor {
        let a = Shape.normalize(axis: axis, rank: rank, op: "gather", shape: shape)
        precondition(index.rank == rank && (0..<rank).allSatisfy { $0 == a || index.shape[$0] <= shape[$0] },
                     "gather: index shape \(index.shape) does not fit input shape \(shape) outside axis \(axis)")
        let ids = index.indices(limit: shape[a], op: "gather", axisShape: shape)
        let out = TensorStorage.uninitialized(count: index.count)
        Backends.current.gather(storage.pointer, xShape: shape, index: ids, indexShape: index.shape, axis: a, out.pointer)
        return .record(.gather(axis: a, index: IndexStorage(ids)), input: self, shape: index.shape, storage: out)
    }

    /// Sums a broadcast result back to `target` (the adjoint of `expand`).
    func sumTo(_ target: [Int]) -> Tensor {
        if shape == target { return self }
        let out = TensorStorage.repeating(0, count: Shape.count(target))
        Backends.current.sumBroadcast(storage.pointer, shape: shape, into: out.pointer, strides: Shape.broadcastStrides(target, to: shape))
        return Tensor(shape: target, storage: out, node: nil)
    }
}
