import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// One SGEMM problem: sizes, transposes, extra row padding of each stored matrix, and scalars.
struct GEMMCase: Sendable, CustomTestStringConvertible {
    var m: Int, n: Int, k: Int
    var transA = false, transB = false
    var padA = 0, padB = 0, padC = 0
    var alpha: Float = 1, beta: Float = 0

    var testDescription: String {
        let ops = (transA ? "T" : "N") + (transB ? "T" : "N")
        return "m\(m) n\(n) k\(k) \(ops) pad \(padA),\(padB),\(padC) α\(alpha) β\(beta)"
    }

    static let all: [GEMMCase] = {
        var cases: [GEMMCase] = []
        let shapes = [(1, 1, 1), (1, 7, 5), (5, 1, 9), (3, 4, 1), (6, 8, 16), (7, 9, 13), (13, 17, 300),
                      (73, 9, 5), (31, 33, 257), (2, 3100, 3), (3, 1100, 400), (1000, 1, 1100)]
        for (m, n, k) in shapes {
            for transA in [false, true] {
                for transB in [false, true] {
                    cases.append(GEMMCase(m: m, n: n, k: k, transA: transA, transB: transB))
                }
            }
        }
        cases += [
            GEMMCase(m: 10, n: 11, k: 12, padA: 3, padB: 5, padC: 2, alpha: 0.5, beta: 2),
            GEMMCase(m: 10, n: 11, k: 12, transA: true, transB: true, padA: 1, padB: 2, padC: 7,
                     alpha: -1.5, beta: 1),
            GEMMCase(m: 19, n: 23, k: 29, transA: true, padA: 4, padC: 1, alpha: 2, beta: -0.5),
            GEMMCase(m: 9, n: 8, k: 7, transB: true, padB: 3, alpha: 0, beta: 3),
            GEMMCase(m: 150, n: 130, k: 70, padA: 2, padB: 1, padC: 3, alpha: 1, beta: 1),
            GEMMCase(m: 200, n: 40, k: 300, transA: true, transB: true, alpha: 0.25, beta: 0.75),
            GEMMCase(m: 40, n: 260, k: 129, transB: true, padC: 5),
            // At least BLAS.splitFrom multiply-adds: split into row blocks (m ≥ n) or column blocks.
            GEMMCase(m: 260, n: 130, k: 150, padA: 2, padB: 1, padC: 3, alpha: 1, beta: 1),
            GEMMCase(m: 261, n: 129, k: 151, transA: true, transB: true, padA: 1, padC: 2, alpha: -0.5, beta: 0.5),
            GEMMCase(m: 90, n: 301, k: 160, transB: true, padB: 4, padC: 1, alpha: 2),
            GEMMCase(m: 91, n: 300, k: 161, transA: true, padA: 3, alpha: 1, beta: -1),
            GEMMCase(m: 4, n: 5, k: 0, beta: 0.5),
            GEMMCase(m: 4, n: 5, k: 0, beta: 0),
            GEMMCase(m: 0, n: 5, k: 3, beta: 2),
            GEMMCase(m: 3, n: 0, k: 3, beta: 2),
        ]
        return cases
    }()
}

/// Random operands for a case, with NaN in every padding slot so that stray reads show up.
struct GEMMFixture {
    let problem: GEMMCase
    var a: [Float], b: [Float], c: [Float]
    let lda: Int, ldb: Int, ldc: Int

    init(_ problem: GEMMCase) {
        self.problem = problem
        var generator = Random(seed: UInt64(problem.m * 1_000_003 + problem.n * 1009 + problem.k))
        let (rowsA, colsA) = problem.transA ? (problem.k, problem.m) : (problem.m, problem.k)
        let (rowsB, colsB) = problem.transB ? (problem.n, problem.k) : (problem.k, problem.n)
        lda = colsA + problem.padA
        ldb = colsB + problem.padB
        ldc = problem.n + problem.padC
        a = Self.matrix(rows: rowsA, cols: colsA, stride: lda, padding: .nan, using: &generator)
        b = Self.matrix(rows: rowsB, cols: colsB, stride: ldb, padding: .nan, using: &generator)
        // When beta is 0, C must not be read: NaN there would leak into the result.
        let fill: Float? = problem.beta == 0 ? .nan : nil
        c = Self.matrix(rows: problem.m, cols: problem.n, stride: ldc, padding: -7, fill: fill, using: &generator)
    }

    static func matrix(
        rows: Int, cols: Int, stride: Int, padding: Float, fill: Float? = nil, using generator: inout Random
    ) -> [Float] {
        var values = [Float](repeating: padding, count: max(rows * stride, 1))
        for i in 0..<rows {
            for j in 0..<cols { values[i * stride + j] = fill ?? generator.nextFloat() }
        }
        return values
    }

    /// op(A) · op(B) in Double, with the sum of |products| that bounds Float rounding error.
    func reference(_ i: Int, _ j: Int) -> (value: Double, magnitude: Double) {
        var sum = 0.0, magnitude = 0.0
        for p in 0..<problem.k {
            let x = Double(problem.transA ? a[p * lda + i] : a[i * lda + p])
            let y = Double(problem.transB ? b[j * ldb + p] : b[p * ldb + j])
            sum += x * y
            magnitude += abs(x * y)
        }
        let alpha = Double(problem.alpha), beta = Double(problem.beta)
        let old = beta == 0 ? 0 : Double(c[i * ldc + j])
        return (alpha * sum + beta * old, abs(alpha) * magnitude + abs(beta * old))
    }

    /// Deterministic uniform values in [-1, 1) (SplitMix64).
    struct Random {
        var state: UInt64
        init(seed: UInt64) { state = seed }

        mutating func nextFloat() -> Float {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return Float(z >> 40) / Float(1 << 23) - 1
        }
    }

    typealias GEMM = (Bool, Bool, Int, Int, Int, Float, UnsafePointer<Float>, Int, UnsafePointer<Float>, Int,
                      Float, UnsafeMutablePointer<Float>, Int) -> Void

    /// Runs `gemm` on a copy of C and returns the number of elements outside tolerance.
    func mismatches(running gemm: GEMM) -> Int { mismatches(in: output(running: gemm)) }

    /// C after `gemm` ran on a copy of it.
    func output(running gemm: GEMM) -> [Float] {
        var result = c
        result.withUnsafeMutableBufferPointer { output in
            gemm(problem.transA, problem.transB, problem.m, problem.n, problem.k, problem.alpha,
                 a, lda, b, ldb, problem.beta, output.baseAddress!, ldc)
        }
        return result
    }

    /// The elements of `result` (C after a product) outside tolerance, padding of C that changed included.
    func mismatches(in result: [Float]) -> Int {
        var bad = 0
        for i in 0..<problem.m {
            for j in 0..<ldc {
                let index = i * ldc + j
                guard j < problem.n else {
                    if result[index] != -7 { bad += 1 }  // padding of C must stay untouched
                    continue
                }
                let (expected, magnitude) = reference(i, j)
                let tolerance = 2 * Double(Float.ulpOfOne) * Double(problem.k + 2) * magnitude + 1e-30
                if !(abs(Double(result[index]) - expected) <= tolerance) { bad += 1 }
            }
        }
        return bad
    }
}

@Suite("GEMM")
struct GEMMTests {
    @Test("builtin GEMM matches a Double triple loop", arguments: GEMMCase.all)
    func builtinMatchesReference(_ problem: GEMMCase) {
        let fixture = GEMMFixture(problem)
        #expect(fixture.mismatches(running: BuiltinGEMM.sgemm) == 0)
    }

    @Test("BLAS.sgemm matches a Double triple loop", arguments: GEMMCase.all)
    func blasMatchesReference(_ problem: GEMMCase) {
        let fixture = GEMMFixture(problem)
        #expect(fixture.mismatches(running: BLAS.sgemm) == 0)
    }

    @Test("a single-row A ignores its row stride")
    func singleRowStride() {
        let a: [Float] = [1, 2, 3], b: [Float] = [1, 0, 0, 1, 1, 1]
        for gemm in [BLAS.sgemm, BuiltinGEMM.sgemm] as [GEMMFixture.GEMM] {
            var c: [Float] = [0, 0]
            gemm(false, false, 1, 2, 3, 1, a, 0, b, 2, 0, &c, 0)
            #expect(c == [4, 5])
        }
    }

    @Test("thin and tiny products take the unpacked kernels", arguments: [
        (1, 300, 300, false, false, DirectKernel?.some(.rowUpdates)), (1, 300, 300, false, true, .dots),
        (300, 1, 300, false, false, .dots), (300, 1, 300, true, true, nil), (20, 20, 20, true, false, .rowUpdates),
        (20, 20, 20, false, true, nil), (64, 64, 64, false, false, nil),
    ])
    func directKernelChoice(_ setup: (Int, Int, Int, Bool, Bool, DirectKernel?)) {
        let (m, n, k, transA, transB, expected) = setup
        let dummy = UnsafeMutablePointer<Float>.allocate(capacity: 1)
        defer { dummy.deallocate() }
        let problem = GEMMProblem(
            a: StridedMatrix(dummy, rowStride: transA ? 1 : k, colStride: transA ? m : 1),
            b: StridedMatrix(dummy, rowStride: transB ? 1 : n, colStride: transB ? k : 1),
            c: dummy, ldc: n, k: k, alpha: 1, beta: 0)
        #expect(problem.directKernel(m: m, n: n) == expected)
    }

    @Test("2×3 times 3×2 gives the textbook product")
    func knownProduct() {
        let a: [Float] = [1, 2, 3, 4, 5, 6], b: [Float] = [7, 8, 9, 10, 11, 12]
        var c = [Float](repeating: 0, count: 4)
        BLAS.sgemm(transA: false, transB: false, m: 2, n: 2, k: 3, alpha: 1, a: a, lda: 3, b: b, ldb: 2,
                   beta: 0, c: &c, ldc: 2)
        #expect(c == [58, 64, 139, 154])
    }

    @Test("the parallel partition covers C exactly once", arguments: [(1, 1), (7, 500), (900, 64), (1024, 1024)])
    func partitionCoversC(_ size: (Int, Int)) {
        let (m, n) = size
        let parts = BuiltinGEMM.partition(m: m, n: n, k: 512, workers: 2)
        var hits = [Int](repeating: 0, count: m * n)
        for part in parts {
            for i in part.rows { for j in part.cols { hits[i * n + j] += 1 } }
        }
        #expect(hits.allSatisfy { $0 == 1 })
        #expect(parts.count == (m * n * 512 >= BuiltinGEMM.parallelThreshold ? 8 : 1))
    }

    @Test("the backend reports a name and a thread count")
    func backendDescription() {
        #expect(BLAS.name.isEmpty == false)
        #expect(BLAS.threadCount >= 1)
        #expect(BLAS.isBuiltin == BLAS.name.hasPrefix("builtin"))
    }
}
