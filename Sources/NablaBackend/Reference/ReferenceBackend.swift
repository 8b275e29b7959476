import Foundation

/// The reference backend: every kernel written from its math in plain scalar loops, with no SIMD, no
/// BLAS and no threads, and sums accumulated in Double. It is slow and obviously correct, and serves as
/// the oracle that the CPU backend is tested against (`NABLA_BACKEND=reference` runs everything on it).
package enum ReferenceBackend: Backend {
    package static var name: String { "reference" }

    // MARK: - Elementwise

    /// The function's scalar definition, element by element.
    package static func unary<F: UnaryFunction>(_ f: F, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        UnaryLoops.forward(f, x, y, count)
    }

    package static func unaryBackward<F: UnaryFunction>(_ f: F, x: UnsafePointer<Float>, y: UnsafePointer<Float>?, g: UnsafePointer<Float>,
                                                        dx: UnsafeMutablePointer<Float>, count: Int) {
        UnaryLoops.backward(f, x: x, y: y, g: g, dx: dx, count)
    }

    package static func binary(_ op: BinaryOp, _ a: BroadcastOperand, _ b: BroadcastOperand, _ out: UnsafeMutablePointer<Float>, shape: [Int]) {
        Self.forEachIndex(shape) { i, index in
            out[i] = Self.apply(op, a.pointer[Self.offset(index, a.strides)], b.pointer[Self.offset(index, b.strides)])
        }
    }

    package static func compare(_ op: CompareOp, _ a: BroadcastOperand, _ b: BroadcastOperand, _ out: UnsafeMutablePointer<Float>, shape: [Int]) {
        Self.forEachIndex(shape) { i, index in
            let holds = Self.holds(op, a.pointer[Self.offset(index, a.strides)], b.pointer[Self.offset(index, b.strides)])
            out[i] = holds ? 1 : 0
        }
    }

    package static func select(mask: UnsafePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                        _ out: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { out[i] = mask[i] != 0 ? a[i] : b[i] }
    }

    static func apply(_ op: BinaryOp, _ a: Float, _ b: Float) -> Float {
        switch op {
        case .add: return a + b
        case .sub: return a - b
        case .mul: return a * b
        case .div: return a / b
        case .pow: return Foundation.pow(a, b)
        // NaN propagates through maximum and minimum, as in PyTorch; ties give a.
        case .maximum: return a.isNaN || b.isNaN ? .nan : (b > a ? b : a)
        case .minimum: return a.isNaN || b.isNaN ? .nan : (b < a ? b : a)
        }
    }

    static func holds(_ op: CompareOp, _ a: Float, _ b: Float) -> Bool {
        switch op {
        case .less: return a < b
        case .lessEqual: return a <= b
        case .greater: return a > b
        case .greaterEqual: return a >= b
        case .equal: return a == b
        case .notEqual: return a != b
        }
    }

    // MARK: - Index helpers

    /// Calls `body(flat, index)` for every multi-index of `shape`, in row-major order (once for rank 0).
    static func forEachIndex(_ shape: [Int], _ body: (Int, [Int]) -> Void) {
        let count = shape.reduce(1, *)
        var index = [Int](repeating: 0, count: shape.count)
        for flat in 0..<count {
            body(flat, index)
            var d = shape.count - 1
            while d >= 0 {
                index[d] += 1
                if index[d] < shape[d] { break }
                index[d] = 0
                d -= 1
            }
        }
    }

    /// Σ_d index[d]·strides[d].
    static func offset(_ index: [Int], _ strides: [Int]) -> Int {
        var total = 0
        for d in index.indices { total += index[d] * strides[d] }
        return total
    }

    /// Row-major strides of `shape`.
    static func strides(_ shape: [Int]) -> [Int] {
        var result = [Int](repeating: 1, count: shape.count)
        var step = 1
        for d in shape.indices.reversed() {
            result[d] = step
            step *= shape[d]
        }
        return result
    }
}
