import Testing
@testable import NablaBackend

/// The AVX-512 GEMM (NablaKernelsC's GEMM+AVX512.c) against a Double triple loop, and the guarantees the rest
/// of the backend builds on: packing B beforehand and splitting the product change no bit. Runs where the
/// CPU has AVX-512; elsewhere only the routing checks run.
@Suite("GEMM: the AVX-512 kernel")
struct NativeGEMMTests {
    static let hasAVX512 = SIMDVariant.avx512.isSupported

    /// Sizes around the kernel's blocks: 8-row tiles, 16-lane halves of 32-column panels, depth blocks of at
    /// most 256 (split evenly), and 192-row blocks of A; primes between them.
    static let cases: [GEMMCase] = {
        let shapes = [(1, 1, 1), (1, 8, 1), (2, 9, 3), (7, 15, 2), (8, 16, 16), (9, 17, 17), (3, 31, 5), (8, 32, 8),
                      (13, 33, 29), (16, 47, 64), (17, 48, 7), (23, 64, 255), (24, 65, 256), (25, 97, 257),
                      (31, 63, 300), (33, 128, 511), (5, 211, 513), (191, 40, 37), (192, 33, 64), (193, 72, 131),
                      (257, 19, 101), (64, 512, 128), (37, 1, 41), (101, 3, 11), (2, 7, 600)]
        var cases: [GEMMCase] = []
        for (index, (m, n, k)) in shapes.enumerated() {
            for transA in [false, true] {
                for transB in [false, true] {
                    let scalars: [(Float, Float)] = [(1, 0), (-0.75, 1), (1.5, -2), (1, 0.5)]
                    let (alpha, beta) = scalars[(index + (transA ? 1 : 0) + (transB ? 2 : 0)) % scalars.count]
                    let pad = index % 3
                    cases.append(GEMMCase(m: m, n: n, k: k, transA: transA, transB: transB, padA: pad, padB: 2 * pad,
                                          padC: (pad + 1) % 3, alpha: alpha, beta: beta))
                }
            }
        }
        return cases + [GEMMCase(m: 9, n: 40, k: 7, transB: true, padB: 3, alpha: 0, beta: 3),
                        GEMMCase(m: 9, n: 40, k: 7, transA: true, padA: 1, alpha: 0, beta: 0)]
    }()

    @Test("the AVX-512 GEMM matches a Double triple loop", .enabled(if: hasAVX512), arguments: cases)
    func matchesReference(_ problem: GEMMCase) {
        #expect(GEMMFixture(problem).mismatches(running: NativeGEMM.sgemm) == 0)
    }

    @Test("B packed once gives the bits of B packed per call", .enabled(if: hasAVX512), arguments: cases)
    func packedMatchesUnpacked(_ problem: GEMMCase) {
        let fixture = GEMMFixture(problem)
        let unpacked = fixture.output(running: NativeGEMM.sgemm)
        let packed = fixture.output { transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc in
            let matrix = PackedMatrix(b, transposed: transB, rows: k, columns: n, ldb: ldb, variant: .avx512)
            #expect(matrix.isPacked == BLAS.runsNative(.avx512, m: m, n: n, k: k))
            matrix.multiply(transA: transA, m: m, alpha: alpha, a: a, lda: lda, beta: beta, c: c, ldc: ldc)
        }
        if BLAS.runsNative(.avx512, m: problem.m, n: problem.n, k: problem.k) {
            #expect(SIMDVariantTests.bitMismatch(packed, unpacked) == nil)
        } else {
            #expect(fixture.mismatches(in: packed) == 0)
        }
    }

    @Test("each row alone gives the bits of the whole product", .enabled(if: hasAVX512),
          arguments: cases.filter { $0.m > 1 && $0.m * $0.n * $0.k < 1 << 20 })
    func rowsAloneMatchWhole(_ problem: GEMMCase) {
        let fixture = GEMMFixture(problem)
        let whole = fixture.output(running: NativeGEMM.sgemm)
        let byRows = fixture.output { transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc in
            for i in 0..<m {
                NativeGEMM.sgemm(transA: transA, transB: transB, m: 1, n: n, k: k, alpha: alpha, a: a + i * (transA ? 1 : lda),
                                 lda: lda, b: b, ldb: ldb, beta: beta, c: c + i * ldc, ldc: ldc)
            }
        }
        #expect(SIMDVariantTests.bitMismatch(byRows, whole) == nil)
    }

    @Test("BLAS.sgemm runs the AVX-512 kernel only under avx512, for products 8 columns wide or more")
    func routing() {
        let hasLibrary = !BLAS.isBuiltin
        #expect(BLAS.runsNative(.avx512, m: 32, n: 512, k: 128) == hasLibrary)
        #expect(BLAS.runsNative(.avx512, m: 300, n: 8, k: 300) == hasLibrary)
        #expect(!BLAS.runsNative(.avx512, m: 300, n: 7, k: 300))
        #expect(!BLAS.runsNative(.avx512, m: 1024, n: 1024, k: 1024), "from 512³ on, OpenBLAS on its own threads")
        #expect(BLAS.runsNative(.avx512, m: 768, n: 512, k: 128) == hasLibrary)
        #expect(!BLAS.runsNative(.avx2, m: 32, n: 512, k: 128))
        #expect(!BLAS.runsNative(.baseline, m: 32, n: 512, k: 128))
    }

    @Test("BLAS.sgemm under avx512 gives the AVX-512 kernel's bits, split among cores or not", .enabled(if: hasAVX512),
          arguments: [GEMMCase(m: 32, n: 512, k: 128, beta: 1), GEMMCase(m: 300, n: 160, k: 100, transB: true, padC: 3),
                      GEMMCase(m: 90, n: 301, k: 160, transA: true, padA: 2, alpha: 2, beta: 0.5)])
    func blasRunsNative(_ problem: GEMMCase) {
        let fixture = GEMMFixture(problem)
        let native = fixture.output(running: NativeGEMM.sgemm)
        let blas = SIMDVariant.with(.avx512) { fixture.output(running: BLAS.sgemm) }
        #expect(fixture.mismatches(in: blas) == 0)
        if !BLAS.isBuiltin { #expect(SIMDVariantTests.bitMismatch(blas, native) == nil) }
    }

    @Test("a matrix prepared under another variant is not packed and multiplies as BLAS.sgemm does")
    func unpackedUnderOtherVariants() {
        let problem = GEMMCase(m: 20, n: 40, k: 30, transB: true, padA: 1, padB: 2, padC: 3, alpha: 0.5, beta: 1)
        let fixture = GEMMFixture(problem)
        for variant in SIMDVariant.supported where variant != .avx512 {
            let expected = SIMDVariant.with(variant) { fixture.output(running: BLAS.sgemm) }
            let result = fixture.output { transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc in
                let matrix = PackedMatrix(b, transposed: transB, rows: k, columns: n, ldb: ldb, variant: variant)
                #expect(!matrix.isPacked)
                matrix.multiply(transA: transA, m: m, alpha: alpha, a: a, lda: lda, beta: beta, c: c, ldc: ldc)
            }
            #expect(SIMDVariantTests.bitMismatch(result, expected) == nil, "\(variant)")
        }
    }
}
