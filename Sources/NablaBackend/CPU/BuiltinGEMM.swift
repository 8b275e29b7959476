import Dispatch
import Foundation

/// Pure-Swift packed SGEMM in the BLIS style: the fallback when no system BLAS is found.
///
/// Row-major `C = alpha * op(A) * op(B) + beta * C`, with the same contract as `BLAS.sgemm`.
/// When `beta == 0`, `C` is written without being read, so it may hold garbage or NaN.
package enum BuiltinGEMM {
    /// Micro-tile rows and columns: 6×8 floats of C live in twelve SIMD4 accumulators, which
    /// together with two B vectors and one temporary fill the 16 SSE registers of baseline x86-64.
    static let mr = 6
    static let nr = 8
    /// Depth of a packed panel: a kc×nr micro-panel of B stays in L1 across the rows of an A block.
    static let kc = 256
    /// Rows of the packed A block, kept in L2 (a multiple of `mr`).
    static let mc = 72
    /// Columns of the packed B block.
    static let nc = 3072
    /// At or below this many multiply-adds a product is computed without packing.
    static let directLimit = 32 * 32 * 32
    /// Below this many multiply-adds a call stays on the calling thread.
    static let parallelThreshold = 1 << 20
    /// Each A element is packed four times so the kernel loads a ready broadcast (SSE2 has no
    /// broadcast load, and a shuffle per element would compete with the arithmetic ports).
    static let broadcastWidth = 4

    /// Row-major `C = alpha * op(A) * op(B) + beta * C`; see `BLAS.sgemm` for the argument contract.
    static func sgemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "sgemm: negative size m=\(m) n=\(n) k=\(k)")
        guard m > 0, n > 0 else { return }
        guard k > 0, alpha != 0 else {
            scale(c, rows: m, cols: n, ldc: ldc, by: beta)
            return
        }
        let problem = GEMMProblem(
            a: StridedMatrix(a, rowStride: transA ? 1 : lda, colStride: transA ? lda : 1),
            b: StridedMatrix(b, rowStride: transB ? 1 : ldb, colStride: transB ? ldb : 1),
            c: c, ldc: ldc, k: k, alpha: alpha, beta: beta)
        let direct = problem.directKernel(m: m, n: n)
        let parts = partition(m: m, n: n, k: k, workers: BLAS.callerThreadsActive ? 1 : Parallel.coreCount)
        let solve = { @Sendable (part: (rows: Range<Int>, cols: Range<Int>)) in
            if let direct {
                problem.solveDirect(direct, rows: part.rows, cols: part.cols)
            } else {
                problem.solve(rows: part.rows, cols: part.cols)
            }
        }
        if parts.count == 1 {
            solve(parts[0])
            return
        }
        DispatchQueue.concurrentPerform(iterations: parts.count) { index in solve(parts[index]) }
    }

    /// Splits C into blocks for the worker threads: one block for small problems, otherwise
    /// several per worker along the longer side so that a busy core does not stall the call.
    static func partition(m: Int, n: Int, k: Int, workers: Int) -> [(rows: Range<Int>, cols: Range<Int>)] {
        guard workers > 1, m * n * k >= parallelThreshold else { return [(0..<m, 0..<n)] }
        let splitRows = m > n
        let extent = splitRows ? m : n
        let unit = splitRows ? mr : nr
        let units = (extent + unit - 1) / unit
        let pieces = min(units, workers * 4)
        guard pieces > 1 else { return [(0..<m, 0..<n)] }
        return (0..<pieces).map { piece in
            let lower = min(extent, units * piece / pieces * unit)
            let upper = min(extent, units * (piece + 1) / pieces * unit)
            return splitRows ? (lower..<upper, 0..<n) : (0..<m, lower..<upper)
        }
    }

    /// `C = beta * C`, writing zeros (not `0 * C`) when `beta == 0` as BLAS does.
    static func scale(_ c: UnsafeMutablePointer<Float>, rows: Int, cols: Int, ldc: Int, by beta: Float) {
        for i in 0..<rows { scaleRow(c + i * ldc, count: cols, by: beta) }
    }

    /// `row = beta * row`, writing zeros when `beta == 0` so that NaN in C does not propagate.
    static func scaleRow(_ row: UnsafeMutablePointer<Float>, count: Int, by beta: Float) {
        if beta == 0 {
            row.update(repeating: 0, count: count)
        } else if beta != 1 {
            for j in 0..<count { row[j] *= beta }
        }
    }
}

/// A read-only matrix whose element (i, j) is `base[i * rowStride + j * colStride]`.
package struct StridedMatrix {
    let base: UnsafePointer<Float>
    let rowStride: Int
    let colStride: Int

    init(_ base: UnsafePointer<Float>, rowStride: Int, colStride: Int) {
        self.base = base
        self.rowStride = rowStride
        self.colStride = colStride
    }

    func advanced(row: Int, col: Int) -> StridedMatrix {
        StridedMatrix(base + row * rowStride + col * colStride, rowStride: rowStride, colStride: colStride)
    }
}

/// One SGEMM call: operands as strided views plus the scalars, solved block by block.
/// Worker threads share it while each writes a disjoint block of C.
package struct GEMMProblem: @unchecked Sendable {
    let a: StridedMatrix
    let b: StridedMatrix
    let c: UnsafeMutablePointer<Float>
    let ldc: Int
    let k: Int
    let alpha: Float
    let beta: Float

    /// Computes the block `C[rows, cols]` on the calling thread with its own packing buffers.
    func solve(rows: Range<Int>, cols: Range<Int>) {
        let buffers = PackBuffers.pool.take()
        defer { PackBuffers.pool.give(buffers) }
        let kc = BuiltinGEMM.kc
        for jc in stride(from: cols.lowerBound, to: cols.upperBound, by: BuiltinGEMM.nc) {
            let nb = min(BuiltinGEMM.nc, cols.upperBound - jc)
            for pc in stride(from: 0, to: k, by: kc) {
                let kb = min(kc, k - pc)
                packB(b.advanced(row: pc, col: jc), depth: kb, cols: nb, into: buffers.b)
                let blockBeta = pc == 0 ? beta : 1
                for ic in stride(from: rows.lowerBound, to: rows.upperBound, by: BuiltinGEMM.mc) {
                    let mb = min(BuiltinGEMM.mc, rows.upperBound - ic)
                    packA(a.advanced(row: ic, col: pc), rows: mb, depth: kb, into: buffers.a)
                    let block = MacroBlock(
                        rows: mb, cols: nb, depth: kb, c: c + ic * ldc + jc, ldc: ldc,
                        alpha: alpha, beta: blockBeta)
                    block.run(packedA: buffers.a, packedB: buffers.b, tile: buffers.tile)
                }
            }
        }
    }
}

/// Packing buffers for one thread, 64-byte aligned so the kernel's SIMD loads are aligned, and
/// large enough for any block. They are recycled: a fresh multi-megabyte allocation comes from
/// mmap, and its page faults cost more than a small GEMM.
package final class PackBuffers: @unchecked Sendable {
    let a: UnsafeMutablePointer<Float>
    let b: UnsafeMutablePointer<Float>
    let tile: UnsafeMutablePointer<Float>
    private let raw: UnsafeMutableRawPointer

    static let pool = PackBufferPool()

    init() {
        let aCount = BuiltinGEMM.mc * BuiltinGEMM.kc * BuiltinGEMM.broadcastWidth
        let bCount = BuiltinGEMM.kc * BuiltinGEMM.nc, tileCount = BuiltinGEMM.mr * BuiltinGEMM.nr
        raw = UnsafeMutableRawPointer.allocate(byteCount: (aCount + bCount + tileCount) * 4, alignment: 64)
        a = raw.bindMemory(to: Float.self, capacity: aCount + bCount + tileCount)
        b = a + aCount
        tile = b + bCount
    }

    deinit { raw.deallocate() }
}

/// A lock-protected free list of packing buffers, keeping at most a few per core.
package final class PackBufferPool: @unchecked Sendable {
    private let lock = NSLock()
    private var free: [PackBuffers] = []

    func take() -> PackBuffers {
        lock.lock()
        defer { lock.unlock() }
        return free.popLast() ?? PackBuffers()
    }

    func give(_ buffers: PackBuffers) {
        lock.lock()
        defer { lock.unlock() }
        if free.count < 2 * Parallel.coreCount { free.append(buffers) }
    }
}

extension GEMMProblem {
    /// Packs `depth × cols` of op(B) into column panels of width `nr`, each stored row by row
    /// (`depth × nr`, zero-padded at the right edge).
    func packB(_ source: StridedMatrix, depth: Int, cols: Int, into packed: UnsafeMutablePointer<Float>) {
        let nr = BuiltinGEMM.nr, rowStride = source.rowStride, colStride = source.colStride
        for j0 in stride(from: 0, to: cols, by: nr) {
            let width = min(nr, cols - j0)
            let panel = packed + j0 * depth
            let start = source.base + j0 * colStride
            switch (width == nr, colStride == 1) {
            case (true, true):
                for p in 0..<depth {
                    let row = UnsafeRawPointer(start + p * rowStride).loadUnaligned(as: SIMD8<Float>.self)
                    UnsafeMutableRawPointer(panel + p * nr).storeBytes(of: row, as: SIMD8<Float>.self)
                }
            case (true, false):
                for p in 0..<depth {
                    for j in 0..<nr { panel[p * nr + j] = start[p * rowStride + j * colStride] }
                }
            case (false, _):
                for p in 0..<depth {
                    for j in 0..<nr { panel[p * nr + j] = j < width ? start[p * rowStride + j * colStride] : 0 }
                }
            }
        }
    }

    /// Packs `rows × depth` of op(A) into row panels of height `mr`, stored column by column
    /// with every element repeated `broadcastWidth` times (zero-padded at the bottom edge).
    func packA(_ source: StridedMatrix, rows: Int, depth: Int, into packed: UnsafeMutablePointer<Float>) {
        let mr = BuiltinGEMM.mr, rowStride = source.rowStride, colStride = source.colStride
        for i0 in stride(from: 0, to: rows, by: mr) {
            let height = min(mr, rows - i0)
            var panel = UnsafeMutableRawPointer(packed + i0 * depth * BuiltinGEMM.broadcastWidth)
            let start = source.base + i0 * rowStride
            for p in 0..<depth {
                let column = start + p * colStride
                // The full-height loop has no padding test, so the compiler unrolls it.
                if height == mr {
                    for i in 0..<mr {
                        let value = column[i * rowStride]
                        panel.storeBytes(of: SIMD4(repeating: value), toByteOffset: i * 16, as: SIMD4<Float>.self)
                    }
                } else {
                    for i in 0..<mr {
                        let value = i < height ? column[i * rowStride] : 0
                        panel.storeBytes(of: SIMD4(repeating: value), toByteOffset: i * 16, as: SIMD4<Float>.self)
                    }
                }
                panel += mr * 16
            }
        }
    }
}

/// One `mc × nc` block of C computed from packed A and B panels by the micro-kernel.
package struct MacroBlock {
    let rows: Int
    let cols: Int
    let depth: Int
    let c: UnsafeMutablePointer<Float>
    let ldc: Int
    let alpha: Float
    let beta: Float

    func run(packedA: UnsafePointer<Float>, packedB: UnsafePointer<Float>, tile: UnsafeMutablePointer<Float>) {
        let mr = BuiltinGEMM.mr, nr = BuiltinGEMM.nr
        for j0 in stride(from: 0, to: cols, by: nr) {
            let width = min(nr, cols - j0)
            let panelB = packedB + j0 * depth
            for i0 in stride(from: 0, to: rows, by: mr) {
                let height = min(mr, rows - i0)
                let panelA = packedA + i0 * depth * BuiltinGEMM.broadcastWidth
                let target = c + i0 * ldc + j0
                if height == mr && width == nr {
                    MicroKernel.run(depth, panelA, panelB, c: target, ldc: ldc, alpha: alpha, beta: beta)
                } else {
                    MicroKernel.run(depth, panelA, panelB, c: tile, ldc: nr, alpha: 1, beta: 0)
                    merge(tile, into: target, rows: height, cols: width)
                }
            }
        }
    }

    /// Edge tiles: `C = alpha * tile + beta * C` on the valid `rows × cols` corner only.
    private func merge(_ tile: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
        for i in 0..<rows {
            for j in 0..<cols {
                let product = alpha * tile[i * BuiltinGEMM.nr + j]
                let index = i * ldc + j
                target[index] = beta == 0 ? product : beta * target[index] + product
            }
        }
    }
}

/// The 6×8 register-blocked inner kernel. FMAs are written `a * b + c`: on baseline x86-64,
/// `addProduct` would become a libm `fmaf` call per lane.
package enum MicroKernel {
    @inline(__always)
    static func run(
        _ depth: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float
    ) {
        var c00 = SIMD4<Float>(), c01 = SIMD4<Float>(), c10 = SIMD4<Float>(), c11 = SIMD4<Float>()
        var c20 = SIMD4<Float>(), c21 = SIMD4<Float>(), c30 = SIMD4<Float>(), c31 = SIMD4<Float>()
        var c40 = SIMD4<Float>(), c41 = SIMD4<Float>(), c50 = SIMD4<Float>(), c51 = SIMD4<Float>()
        var pa = UnsafeRawPointer(a), pb = UnsafeRawPointer(b)
        for _ in 0..<depth {
            let b0 = pb.load(as: SIMD4<Float>.self), b1 = pb.load(fromByteOffset: 16, as: SIMD4<Float>.self)
            var ai = pa.load(as: SIMD4<Float>.self)
            c00 = ai * b0 + c00; c01 = ai * b1 + c01
            ai = pa.load(fromByteOffset: 16, as: SIMD4<Float>.self)
            c10 = ai * b0 + c10; c11 = ai * b1 + c11
            ai = pa.load(fromByteOffset: 32, as: SIMD4<Float>.self)
            c20 = ai * b0 + c20; c21 = ai * b1 + c21
            ai = pa.load(fromByteOffset: 48, as: SIMD4<Float>.self)
            c30 = ai * b0 + c30; c31 = ai * b1 + c31
            ai = pa.load(fromByteOffset: 64, as: SIMD4<Float>.self)
            c40 = ai * b0 + c40; c41 = ai * b1 + c41
            ai = pa.load(fromByteOffset: 80, as: SIMD4<Float>.self)
            c50 = ai * b0 + c50; c51 = ai * b1 + c51
            pa += 96
            pb += 32
        }
        update(c, c00, c01, alpha: alpha, beta: beta)
        update(c + ldc, c10, c11, alpha: alpha, beta: beta)
        update(c + 2 * ldc, c20, c21, alpha: alpha, beta: beta)
        update(c + 3 * ldc, c30, c31, alpha: alpha, beta: beta)
        update(c + 4 * ldc, c40, c41, alpha: alpha, beta: beta)
        update(c + 5 * ldc, c50, c51, alpha: alpha, beta: beta)
    }

    /// One row of the tile: `C[0..<8] = alpha * (low, high) + beta * C[0..<8]`; C is not read when beta is 0.
    @inline(__always)
    static func update(
        _ c: UnsafeMutablePointer<Float>, _ low: SIMD4<Float>, _ high: SIMD4<Float>, alpha: Float, beta: Float
    ) {
        let row = UnsafeMutableRawPointer(c)
        var newLow = low * alpha, newHigh = high * alpha
        if beta != 0 {
            newLow = row.loadUnaligned(as: SIMD4<Float>.self) * beta + newLow
            newHigh = row.loadUnaligned(fromByteOffset: 16, as: SIMD4<Float>.self) * beta + newHigh
        }
        row.storeBytes(of: newLow, as: SIMD4<Float>.self)
        row.storeBytes(of: newHigh, toByteOffset: 16, as: SIMD4<Float>.self)
    }
}
