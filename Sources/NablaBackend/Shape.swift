/// Shape arithmetic and the validation that every op runs before it touches data.
///
/// Validators return an error message instead of trapping, so tests can check the text;
/// the ops turn a message into a precondition failure that names the op and the shapes.
public enum Shape {
    /// The number of elements in a tensor of this shape.
    @inlinable public static func count(_ shape: [Int]) -> Int {
        var n = 1
        for d in shape { n &*= d }
        return n
    }

    /// Row-major strides, in elements.
    public static func strides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[i] = acc
            acc *= shape[i]
        }
        return strides
    }

    /// The flat offset of `indices` (negative values count from the end).
    public static func flatIndex(_ indices: [Int], in shape: [Int]) -> Int {
        precondition(indices.count == shape.count,
                     "subscript: \(indices.count) indices for a tensor of rank \(shape.count) \(shape)")
        var offset = 0
        for (i, raw) in indices.enumerated() {
            let index = raw < 0 ? raw + shape[i] : raw
            precondition(index >= 0 && index < shape[i], "subscript: index \(raw) out of range for dimension \(i) of \(shape)")
            offset = offset * shape[i] + index
        }
        return offset
    }

    /// Resolves a possibly negative axis, or describes why it is invalid.
    public static func axisError(_ axis: Int, rank: Int, op: String, shape: [Int]) -> String? {
        let lower = rank == 0 ? -1 : -rank
        let upper = rank == 0 ? 0 : rank - 1
        if axis < lower || axis > upper {
            return "\(op): axis \(axis) is out of range for shape \(shape) (valid: \(lower)...\(upper))"
        }
        return nil
    }

    /// Normalizes `axis` into `0..<rank`, trapping with a message naming `op` if invalid.
    public static func normalize(axis: Int, rank: Int, op: String, shape: [Int]) -> Int {
        if let message = axisError(axis, rank: rank, op: op, shape: shape) { preconditionFailure(message) }
        return axis < 0 ? axis + Swift.max(rank, 1) : axis
    }

    /// The numpy broadcast of two shapes, or `nil` if they are incompatible.
    public static func broadcast(_ a: [Int], _ b: [Int]) -> [Int]? {
        if a == b { return a }
        let rank = Swift.max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if da == db || db == 1 { result[i] = da } else if da == 1 { result[i] = db } else { return nil }
        }
        return result
    }

    /// Describes why `a` and `b` cannot be broadcast together, or returns `nil`.
    public static func broadcastError(_ op: String, _ a: [Int], _ b: [Int]) -> String? {
        broadcast(a, b) == nil ? "\(op): shapes \(a) and \(b) cannot be broadcast together" : nil
    }

    /// Broadcasts or traps with a message that names the op and both shapes.
    public static func broadcastOrFail(_ op: String, _ a: [Int], _ b: [Int]) -> [Int] {
        guard let shape = broadcast(a, b) else { preconditionFailure(broadcastError(op, a, b)!) }
        return shape
    }

    /// Strides that read a tensor of shape `shape` as if it had the (broadcast) shape `target`:
    /// broadcast dimensions get stride 0.
    public static func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
        let own = strides(shape)
        let offset = target.count - shape.count
        var result = [Int](repeating: 0, count: target.count)
        for i in 0..<shape.count where shape[i] != 1 || target[i + offset] == 1 {
            result[i + offset] = shape[i] == 1 ? 0 : own[i]
        }
        return result
    }

    /// Describes why `a` and `b` cannot be multiplied as matrices, or returns `nil`.
    public static func matmulError(_ a: [Int], _ b: [Int], transA: Bool = false, transB: Bool = false) -> String? {
        if a.count < 2 || b.count < 2 {
            return "matmul: \(a) × \(b): both operands need at least 2 dimensions"
        }
        let k1 = transA ? a[a.count - 2] : a[a.count - 1]
        let k2 = transB ? b[b.count - 1] : b[b.count - 2]
        if k1 != k2 { return "matmul: \(a) × \(b): inner dimensions \(k1) and \(k2) differ" }
        if broadcast(Array(a.dropLast(2)), Array(b.dropLast(2))) == nil {
            return "matmul: \(a) × \(b): batch dimensions \(Array(a.dropLast(2))) and \(Array(b.dropLast(2))) cannot be broadcast"
        }
        return nil
    }

    /// Describes why `shape` cannot be reshaped to `target` (one entry may be -1), or returns `nil`.
    public static func reshapeError(_ shape: [Int], _ target: [Int]) -> String? {
        if target.filter({ $0 == -1 }).count > 1 { return "reshape: \(shape) → \(target): only one dimension may be -1" }
        if target.contains(where: { $0 < -1 }) { return "reshape: \(shape) → \(target): negative dimension" }
        let known = target.filter { $0 != -1 }.reduce(1, *)
        let total = count(shape)
        if target.contains(-1) {
            if known == 0 || total % known != 0 {
                return "reshape: \(shape) → \(target): \(total) elements cannot fill the shape"
            }
        } else if known != total {
            return "reshape: \(shape) → \(target): \(total) elements cannot fill \(known)"
        }
        return nil
    }
}
