import NablaBackend

extension Tensor {
    /// Matrix product over the last two dimensions, broadcasting the batch dimensions before them.
    /// `transA`/`transB` multiply by the transpose without copying.
    ///
    /// ```swift
    /// let y = x.matmul(weight, transB: true)   // x·Wᵀ, as nn.Linear
    /// ```
    public func matmul(_ other: Tensor, transA: Bool = false, transB: Bool = false) -> Tensor {
        if let message = Shape.matmulError(shape, other.shape, transA: transA, transB: transB) { preconditionFailure(message) }
        let m = transA ? shape[rank - 1] : shape[rank - 2]
        let k = transA ? shape[rank - 2] : shape[rank - 1]
        let n = transB ? other.shape[other.rank - 2] : other.shape[other.rank - 1]
        let aBatch = Array(shape.dropLast(2)), bBatch = Array(other.shape.dropLast(2))
        let batch = Shape.broadcast(aBatch, bBatch)!
        let aMatrix = m * k, bMatrix = k * n
        let s = MatmulShape(batch: batch,
                            aBatchStrides: Shape.broadcastStrides(aBatch, to: batch).map { $0 * aMatrix },
                            bBatchStrides: Shape.broadcastStrides(bBatch, to: batch).map { $0 * bMatrix },
                            m: m, n: n, k: k, transA: transA, transB: transB, aMatrix: aMatrix, bMatrix: bMatrix)
        let outShape = batch + [m, n]
        let out = TensorStorage.uninitialized(count: Shape.count(outShape))
        if k == 0 {
            out.pointer.initialize(repeating: 0, count: out.count)
        } else if out.count > 0 {
            Backends.current.matmul(storage.pointer, other.storage.pointer, out.pointer, s)
        }
        return .record(.matmul(transA: transA, transB: transB), self, other, shape: outShape, storage: out)
    }
}
