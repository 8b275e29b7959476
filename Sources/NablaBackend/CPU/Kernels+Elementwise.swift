import Foundation

/// The CPU backend's kernels, on raw buffers and sizes. Callers outside the backend reach them
/// through `CPUBackend`, as `Backends.current`.
package enum Kernels {
    /// Elements per chunk below which a loop stays on one core.
    package static let parallelGrain = 1 << 15
}

// MARK: - Unary

extension Kernels {
    /// y = f(x), split across cores in chunks of `parallelGrain`. The function's own `forward` picks
    /// its fastest loop (a C kernel of the current SIMD variant where it has one).
    package static func unary<F: UnaryFunction>(_ f: F, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        guard n >= 2 * parallelGrain else {
            // One chunk: no closure to build around `f`, which costs more than a small op's loop.
            return f.forward(x, y, n)
        }
        Parallel.forEachChunk(count: n, minChunk: parallelGrain) { r in
            f.forward(x + r.lowerBound, y + r.lowerBound, r.count)
        }
    }

    /// dx = g · f′, reading x or y = f(x) as `F.derivativeInput` says; the function's own `backward`
    /// splits the work where it pays.
    package static func unaryBackward<F: UnaryFunction>(_ f: F, x: UnsafePointer<Float>, y: UnsafePointer<Float>?,
                                                        g: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, _ n: Int) {
        f.backward(x: x, y: y, g: g, dx: dx, n)
    }
}

// MARK: - SIMD loops

extension Kernels {
    /// `simdZip` split across cores in chunks of `parallelGrain`, for the elementwise backward passes.
    @inline(__always)
    package static func parallelZip(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int,
                                    _ f: (SIMDMath.Vector, SIMDMath.Vector) -> SIMDMath.Vector) {
        Parallel.forEachChunk(count: n, minChunk: parallelGrain) { r in
            simdZip(a + r.lowerBound, b + r.lowerBound, out + r.lowerBound, r.count, f)
        }
    }

    /// `out[i] = f(a[i], b[i])` four lanes at a time; the tail runs through `f` on zero-padded vectors.
    @inline(__always)
    package static func simdZip(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int,
                    _ f: (SIMDMath.Vector, SIMDMath.Vector) -> SIMDMath.Vector) {
        typealias V = SIMDMath.Vector
        var i = 0
        while i + 8 <= n {
            let ra = UnsafeRawPointer(a + i), rb = UnsafeRawPointer(b + i), ro = UnsafeMutableRawPointer(out + i)
            let r0 = f(ra.loadUnaligned(as: V.self), rb.loadUnaligned(as: V.self))
            let r1 = f(ra.loadUnaligned(fromByteOffset: 16, as: V.self), rb.loadUnaligned(fromByteOffset: 16, as: V.self))
            ro.storeBytes(of: r0, as: V.self)
            ro.storeBytes(of: r1, toByteOffset: 16, as: V.self)
            i += 8
        }
        while i < n {
            var va = V(repeating: 0), vb = V(repeating: 0)
            let lanes = Swift.min(4, n - i)
            for j in 0..<lanes { va[j] = a[i + j]; vb[j] = b[i + j] }
            let r = f(va, vb)
            for j in 0..<lanes { out[i + j] = r[j] }
            i += lanes
        }
    }
}

// MARK: - Binary with broadcasting

/// A binary elementwise function, specialized at compile time so the loops carry no closure.
protocol BinaryFunction { static func apply(_ a: Float, _ b: Float) -> Float }
enum AddFn: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a + b } }
enum SubFn: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a - b } }
enum MulFn: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a * b } }
enum DivFn: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a / b } }
enum PowFn: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { Foundation.pow(a, b) } }
enum MaxFn: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a.isNaN || a >= b ? a : b } }
enum MinFn: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a.isNaN || a <= b ? a : b } }
enum LessFn: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a < b ? 1 : 0 } }
enum LessEqualFn: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a <= b ? 1 : 0 } }
enum GreaterFn: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a > b ? 1 : 0 } }
enum GreaterEqualFn: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a >= b ? 1 : 0 } }
enum EqualFn: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a == b ? 1 : 0 } }
enum NotEqualFn: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a != b ? 1 : 0 } }

/// The two operands' offsets at the start of each row of a broadcast loop, advanced row by row.
private struct RowOffsets {
    let shape: [Int], strides: [[Int]]
    var index: [Int]
    var a = 0, b = 0

    init(shape: [Int], strides: [[Int]], firstRow: Int) {
        self.shape = shape
        self.strides = strides
        index = [Int](repeating: 0, count: shape.count)
        var rest = firstRow
        for d in stride(from: shape.count - 2, through: 0, by: -1) {
            index[d] = rest % shape[d]
            rest /= shape[d]
            a += index[d] * strides[0][d]
            b += index[d] * strides[1][d]
        }
    }

    mutating func advance() {
        var d = shape.count - 2
        while d >= 0 {
            index[d] += 1
            a += strides[0][d]
            b += strides[1][d]
            if index[d] < shape[d] { return }
            a -= strides[0][d] * shape[d]
            b -= strides[1][d] * shape[d]
            index[d] = 0
            d -= 1
        }
    }
}

extension Kernels {
    package static func binary(_ op: BinaryOp, _ a: BroadcastOperand, _ b: BroadcastOperand,
                       _ out: UnsafeMutablePointer<Float>, shape: [Int]) {
        switch op {
        case .add: broadcastLoop(AddFn.self, a, b, out, shape)
        case .sub: broadcastLoop(SubFn.self, a, b, out, shape)
        case .mul: broadcastLoop(MulFn.self, a, b, out, shape)
        case .div: broadcastLoop(DivFn.self, a, b, out, shape)
        case .pow: broadcastLoop(PowFn.self, a, b, out, shape)
        case .maximum: broadcastLoop(MaxFn.self, a, b, out, shape)
        case .minimum: broadcastLoop(MinFn.self, a, b, out, shape)
        }
    }

    package static func compare(_ op: CompareOp, _ a: BroadcastOperand, _ b: BroadcastOperand,
                        _ out: UnsafeMutablePointer<Float>, shape: [Int]) {
        switch op {
        case .less: broadcastLoop(LessFn.self, a, b, out, shape)
        case .lessEqual: broadcastLoop(LessEqualFn.self, a, b, out, shape)
        case .greater: broadcastLoop(GreaterFn.self, a, b, out, shape)
        case .greaterEqual: broadcastLoop(GreaterEqualFn.self, a, b, out, shape)
        case .equal: broadcastLoop(EqualFn.self, a, b, out, shape)
        case .notEqual: broadcastLoop(NotEqualFn.self, a, b, out, shape)
        }
    }

    /// Runs `F` over the output in rows of its last dimension, after merging the dimensions both
    /// operands walk as one; each operand steps by 0 or 1 inside a row.
    static func broadcastLoop<F: BinaryFunction>(_: F.Type, _ a: BroadcastOperand, _ b: BroadcastOperand,
                                                 _ out: UnsafeMutablePointer<Float>, _ fullShape: [Int]) {
        let n = Shape.count(fullShape)
        guard n > 0 else { return }
        let pa = a.pointer, pb = b.pointer
        if isContiguous(a.strides, fullShape) && isContiguous(b.strides, fullShape) {
            Parallel.forEachChunk(count: n, minChunk: parallelGrain) { r in
                for i in r { out[i] = F.apply(pa[i], pb[i]) }
            }
            return
        }
        let (shape, strides) = coalesced(fullShape, [a.strides, b.strides])
        let rank = shape.count
        let inner = shape[rank - 1]
        Parallel.forEachChunk(count: n / inner, minChunk: Swift.max(1, parallelGrain / inner)) { rows in
            var offsets = RowOffsets(shape: shape, strides: strides, firstRow: rows.lowerBound)
            for row in rows {
                broadcastRow(F.self, pa + offsets.a, strides[0][rank - 1], pb + offsets.b, strides[1][rank - 1],
                             out + row * inner, inner)
                offsets.advance()
            }
        }
    }

    /// One row of `broadcastLoop`; the common stride pairs get loops the compiler vectorizes.
    @inline(__always)
    private static func broadcastRow<F: BinaryFunction>(_: F.Type, _ pa: UnsafePointer<Float>, _ sa: Int,
                                                        _ pb: UnsafePointer<Float>, _ sb: Int,
                                                        _ o: UnsafeMutablePointer<Float>, _ inner: Int) {
        switch (sa, sb) {
        case (1, 1): for i in 0..<inner { o[i] = F.apply(pa[i], pb[i]) }
        case (1, 0):
            let bv = pb[0]
            for i in 0..<inner { o[i] = F.apply(pa[i], bv) }
        case (0, 1):
            let av = pa[0]
            for i in 0..<inner { o[i] = F.apply(av, pb[i]) }
        default: for i in 0..<inner { o[i] = F.apply(pa[i * sa], pb[i * sb]) }
        }
    }

    /// Merges neighbouring dimensions that every stride list walks as one (outer stride = inner
    /// stride × inner size) and drops size-1 dimensions; the order of the elements is unchanged.
    static func coalesced(_ shape: [Int], _ strides: [[Int]]) -> (shape: [Int], strides: [[Int]]) {
        var merged: [Int] = []
        var mergedStrides = [[Int]](repeating: [], count: strides.count)
        for d in shape.indices where shape[d] != 1 {
            let joins = !merged.isEmpty && strides.indices.allSatisfy { mergedStrides[$0].last! == strides[$0][d] * shape[d] }
            if joins {
                merged[merged.count - 1] *= shape[d]
                for k in strides.indices { mergedStrides[k][merged.count - 1] = strides[k][d] }
            } else {
                merged.append(shape[d])
                for k in strides.indices { mergedStrides[k].append(strides[k][d]) }
            }
        }
        if merged.isEmpty { return ([1], strides.map { _ in [0] }) }
        return (merged, mergedStrides)
    }

    static func isContiguous(_ strides: [Int], _ shape: [Int]) -> Bool {
        var expected = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) {
            if shape[d] != 1 && strides[d] != expected { return false }
            expected *= shape[d]
        }
        return true
    }

    /// out = mask ? a : b; `mask`, `a` and `b` are already materialized at the output's size.
    package static func select(mask: UnsafePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                       _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        for i in 0..<n { out[i] = mask[i] != 0 ? a[i] : b[i] }
    }
}
