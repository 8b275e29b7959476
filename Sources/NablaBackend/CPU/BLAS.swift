#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#endif
import Foundation

/// Single-precision matrix multiply through the system BLAS, found at run time.
///
/// Nabla links no BLAS: on first use it opens OpenBLAS (Linux) or Accelerate (macOS) with `dlopen`
/// and looks up `cblas_sgemm`. OpenBLAS is kept to one thread: Nabla splits large products across
/// the cores itself, on the same threads as its other kernels, so that OpenBLAS's idle workers do
/// not spin in `sched_yield` on cores that Nabla's kernels need. Only very large products (512³
/// and up) run on OpenBLAS's own threads. Where the SIMD variant is `.avx512`, Nabla's own AVX-512 kernel
/// (`NativeGEMM`) takes the products it was measured to run faster than OpenBLAS, large ones split by Nabla.
/// Setting the environment variable `NABLA_BLAS=builtin`, or finding no library, selects the pure-Swift
/// kernel instead. On Linux, unless `OPENBLAS_CORETYPE` is set,
/// Nabla sets it from the CPU's instruction sets before loading OpenBLAS (see `suggestCoreType`).
///
///     print(BLAS.name)   // "OpenBLAS (libopenblas.so.0, SkylakeX)"
///     BLAS.sgemm(transA: false, transB: false, m: 2, n: 2, k: 3, alpha: 1,
///                a: a, lda: 3, b: b, ldb: 2, beta: 0, c: c, ldc: 2)
public enum BLAS {
    /// Human-readable name of the backend in use, for example "OpenBLAS (libopenblas.so.0, SkylakeX)".
    public static var name: String { library?.name ?? "builtin Swift GEMM" }

    /// True when the pure-Swift kernel is in use rather than a system BLAS.
    public static var isBuiltin: Bool { library == nil }

    /// Threads a large product uses: the core count when Nabla splits products itself (OpenBLAS and
    /// the builtin kernel), otherwise what the library reports.
    public static var threadCount: Int { library?.threadCount() ?? Parallel.coreCount }

    /// What `threadCount` counts, in words, for `nabla info`.
    public static var threadCountMeaning: String {
        guard let library else { return "Nabla splits a product over its pool, on the builtin kernel" }
        guard library.splitsProducts else { return "as the BLAS library reports them" }
        guard SIMDVariant.current == .avx512 else {
            return "Nabla splits a product over its pool and OpenBLAS runs one thread per piece; from 512³ on, OpenBLAS's own threads"
        }
        return "Nabla splits a product below 512³ over its pool, on its AVX-512 kernel; products under \(NativeGEMM.minColumns) columns "
            + "wide go to OpenBLAS, one thread per piece, and from 512³ on OpenBLAS runs them on its own threads"
    }

    /// Products with at least this many multiply-adds are split across the cores; below it, waking
    /// a second thread costs more than it saves.
    static let splitFrom = 1 << 22

    /// From this many multiply-adds (a 512³ product) OpenBLAS runs on its own threads, which share
    /// the packed panels of B: faster than two halves packing their own, and the idle spinning that
    /// follows costs little next to a product this size. The AVX-512 kernel (`NativeGEMM`) takes only
    /// products below this size.
    static let ownThreadsFrom = 1 << 27

    /// Row-major `C = alpha * op(A) * op(B) + beta * C`, where op(A) is m×k and op(B) is k×n.
    ///
    /// `lda`, `ldb` and `ldc` are the row strides of the matrices as stored (so A is stored k×m
    /// when `transA` is true). When `beta == 0`, C is only written, never read.
    ///
    ///     // C (2×2) = A (2×3) · B (3×2)
    ///     BLAS.sgemm(transA: false, transB: false, m: 2, n: 2, k: 3, alpha: 1,
    ///                a: a, lda: 3, b: b, ldb: 2, beta: 0, c: c, ldc: 2)
    public static func sgemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
              beta: beta, c: c, ldc: ldc, variant: SIMDVariant.current)
    }

    /// `sgemm` under `variant`, for kernels that read the variant on the calling thread and multiply on workers.
    static func sgemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, variant: SIMDVariant
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "BLAS.sgemm: negative size m=\(m) n=\(n) k=\(k)")
        guard m > 0, n > 0 else { return }
        checkStrides(transA: transA, transB: transB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
        // BLAS rejects k == 0 with a console message when lda is 0; scaling C is all there is to do.
        guard k > 0, let library, library.accepts(largest: max(m, n, k, lda, ldb, ldc)) else {
            BuiltinGEMM.sgemm(
                transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        // cblas checks each leading dimension against the column count even for a single row.
        let strideA = stride(lda, rows: transA ? k : m, cols: transA ? m : k)
        let strideB = stride(ldb, rows: transB ? n : k, cols: transB ? k : n)
        let strideC = stride(ldc, rows: m, cols: n)
        let kernel = GEMMKernel(library: library, native: NativeGEMM.handles(variant, m: m, n: n, k: k))
        guard library.splitsProducts, Parallel.coreCount > 1, m * n * k >= splitFrom, !callerThreadsActive else {
            return kernel.sgemm(transA, transB, m, n, k, alpha, a, strideA, b, strideB, beta, c, strideC)
        }
        if m * n * k >= ownThreadsFrom && !kernel.native {
            return library.onOwnThreads { library.sgemm(transA, transB, m, n, k, alpha, a, strideA, b, strideB, beta, c, strideC) }
        }
        // Row blocks of C take row blocks of op(A); column blocks take column blocks of op(B).
        let byRows = m >= n
        Parallel.forEachPart(count: byRows ? m : n, parts: Parallel.coreCount) { _, r in
            if byRows {
                kernel.sgemm(transA, transB, r.count, n, k, alpha, a + r.lowerBound * (transA ? 1 : strideA), strideA,
                             b, strideB, beta, c + r.lowerBound * strideC, strideC)
            } else {
                kernel.sgemm(transA, transB, m, r.count, k, alpha, a, strideA, b + r.lowerBound * (transB ? strideB : 1),
                             strideB, beta, c + r.lowerBound, strideC)
            }
        }
    }

    /// Whether `sgemm` under `variant` runs a product of this shape on the AVX-512 kernel (`NativeGEMM`): only
    /// in place of a system BLAS, so that `NABLA_BLAS=builtin` keeps the Swift kernel.
    static func runsNative(_ variant: SIMDVariant, m: Int, n: Int, k: Int) -> Bool {
        library != nil && NativeGEMM.handles(variant, m: m, n: n, k: k)
    }

    static func checkStrides(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, lda: Int, ldb: Int, ldc: Int
    ) {
        precondition(
            (transA ? k : m) <= 1 || lda >= (transA ? m : k),
            "BLAS.sgemm: lda \(lda) is less than the row length of A (m=\(m) k=\(k) transA=\(transA))")
        precondition(
            (transB ? n : k) <= 1 || ldb >= (transB ? k : n),
            "BLAS.sgemm: ldb \(ldb) is less than the row length of B (k=\(k) n=\(n) transB=\(transB))")
        precondition(m <= 1 || ldc >= n, "BLAS.sgemm: ldc \(ldc) is less than n=\(n)")
    }

    private static func stride(_ ld: Int, rows: Int, cols: Int) -> Int {
        rows == 1 ? max(ld, cols) : ld
    }

    /// Runs `body` with every BLAS call on the thread that makes it, for callers that split their
    /// work across cores themselves (one convolution group per core, say): splitting each product
    /// again would only make the cores wait on each other.
    ///
    ///     BLAS.withCallerThreads { Parallel.forEachChunk(count: groups, minChunk: 1) { … BLAS.sgemm(…) … } }
    static func withCallerThreads<R>(_ body: () throws -> R) rethrows -> R {
        callerThreads.enter()
        defer { callerThreads.leave() }
        return try body()
    }

    /// C = A·B for row-major `size`×`size` matrices straight through the library's `cblas_sgemm`
    /// on its own threads (one per core), bypassing Nabla's splitting: the reference that `nabla
    /// bench` compares `sgemm` with. Returns false, doing nothing, when no system BLAS is loaded.
    package static func directSquareProduct(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                                    _ c: UnsafeMutablePointer<Float>, size: Int) -> Bool {
        guard let library else { return false }
        library.onOwnThreads { library.sgemm(false, false, size, size, size, 1, a, size, b, size, 0, c, size) }
        return true
    }

    /// Whether a `withCallerThreads` region is running: GEMMs then stay on their calling thread.
    static var callerThreadsActive: Bool { callerThreads.active }

    private static let callerThreads = CallerThreadRegions()
    private static let library: BLASLibrary? = BLASLibrary.load()
}

/// The kernel one product runs on, chosen once for all its parts: the system BLAS or the AVX-512 GEMM.
private struct GEMMKernel {
    let library: BLASLibrary
    let native: Bool

    func sgemm(
        _ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
        _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) {
        guard native else { return library.sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) }
        NativeGEMM.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                         beta: beta, c: c, ldc: ldc)
    }
}

/// Counts open `withCallerThreads` regions; no product is split while any is open.
private final class CallerThreadRegions: @unchecked Sendable {
    private let lock = NSLock()
    private var depth = 0

    var active: Bool { lock.withLock { depth > 0 } }

    func enter() { lock.withLock { depth += 1 } }

    func leave() { lock.withLock { depth -= 1 } }
}

/// A BLAS opened with `dlopen`: its `cblas_sgemm` and, for OpenBLAS, its thread-count query.
package struct BLASLibrary: @unchecked Sendable {
    // Calling-convention types of the C entry points; enum and integer arguments are C ints
    // (or 64-bit integers for an ILP64 OpenBLAS).
    typealias SGEMM32 = @convention(c) (
        Int32, Int32, Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>?, Int32,
        UnsafePointer<Float>?, Int32, Float, UnsafeMutablePointer<Float>?, Int32) -> Void
    typealias SGEMM64 = @convention(c) (
        Int32, Int32, Int32, Int64, Int64, Int64, Float, UnsafePointer<Float>?, Int64,
        UnsafePointer<Float>?, Int64, Float, UnsafeMutablePointer<Float>?, Int64) -> Void
    typealias ThreadQuery = @convention(c) () -> Int32
    typealias ThreadSetter = @convention(c) (Int32) -> Void

    enum Entry {
        case lp64(SGEMM32)
        case ilp64(SGEMM64)
    }

    let name: String
    let entry: Entry
    let threadQuery: ThreadQuery?
    let threadSetter: ThreadSetter?
    /// True when the library was set to one thread at load (OpenBLAS) and `BLAS` splits large
    /// products itself. OpenBLAS's own workers spin in `sched_yield` for a while after each call:
    /// on two cores a CNN step spent a fifth of its time there, stealing the core from the
    /// convolution kernels.
    let splitsProducts: Bool

    // cblas enum values from cblas.h.
    private static let rowMajor: Int32 = 101, noTrans: Int32 = 111, trans: Int32 = 112

    /// Libraries to try, in order: file, label, and the symbol suffix of an ILP64 build.
    private static var candidates: [(file: String, label: String, suffix: String?)] {
        #if canImport(Darwin)
        return [("/System/Library/Frameworks/Accelerate.framework/Accelerate", "Accelerate", nil)]
        #else
        return [
            ("libopenblas.so.0", "OpenBLAS", nil),
            ("libopenblas.so", "OpenBLAS", nil),
            ("libopenblas64_.so.0", "OpenBLAS ILP64", "64_"),
        ]
        #endif
    }

    /// Opens the first usable BLAS, or returns nil when `NABLA_BLAS=builtin` or none is found.
    static func load() -> BLASLibrary? {
        if ProcessInfo.processInfo.environment["NABLA_BLAS"]?.lowercased() == "builtin" { return nil }
        suggestCoreType()
        // OpenBLAS starts its worker threads when it loads, and they spin in sched_yield for about
        // 0.1 s before sleeping: a short run lost a core to them. Nabla splits products itself, so
        // OpenBLAS starts with one thread (unless the user chose a count) and adds workers only for
        // the very large products it runs on its own threads.
        setenv("OPENBLAS_NUM_THREADS", "1", 0)
        for candidate in candidates {
            guard let handle = dlopen(candidate.file, RTLD_NOW | RTLD_LOCAL) else { continue }
            let name = candidate.label == "Accelerate" ? "Accelerate" : "\(candidate.label) (\(candidate.file))"
            if let library = BLASLibrary(handle: handle, name: name, suffix: candidate.suffix) {
                return library
            }
            dlclose(handle)
        }
        return nil
    }

    /// OpenBLAS picks its kernels from a CPU model table; on a CPU newer than the table (or a
    /// hypervisor that hides the model) it falls back to the SSE3 "Prescott" kernels, 4-5× slower.
    /// Unless the user chose a core type, name one from the instruction sets the CPU reports.
    private static func suggestCoreType() {
        #if os(Linux)
        guard getenv("OPENBLAS_CORETYPE") == nil,
              let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flagLine = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
        else { return }
        let flags = Set(flagLine.split(separator: " ").map(String.init))
        let avx512: Set = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]
        if flags.isSuperset(of: avx512) {
            setenv("OPENBLAS_CORETYPE", "SkylakeX", 0)
        } else if flags.isSuperset(of: ["avx2", "fma"]) {
            setenv("OPENBLAS_CORETYPE", "Haswell", 0)
        }
        #endif
    }

    private init?(handle: UnsafeMutableRawPointer, name: String, suffix: String?) {
        let query = dlsym(handle, "openblas_get_num_threads" + (suffix ?? ""))
        threadQuery = query.map { unsafeBitCast($0, to: ThreadQuery.self) }
        threadSetter = dlsym(handle, "openblas_set_num_threads" + (suffix ?? "")).map { unsafeBitCast($0, to: ThreadSetter.self) }
        threadSetter?(1)
        splitsProducts = threadSetter != nil
        self.name = Self.describe(name, handle: handle, suffix: suffix ?? "")
        if let suffix {
            guard let symbol = dlsym(handle, "cblas_sgemm" + suffix) else { return nil }
            entry = .ilp64(unsafeBitCast(symbol, to: SGEMM64.self))
        } else {
            guard let symbol = dlsym(handle, "cblas_sgemm") else { return nil }
            entry = .lp64(unsafeBitCast(symbol, to: SGEMM32.self))
        }
    }

    /// Adds OpenBLAS's kernel family: "OpenBLAS (libopenblas.so.0)" becomes
    /// "OpenBLAS (libopenblas.so.0, SkylakeX)".
    private static func describe(_ name: String, handle: UnsafeMutableRawPointer, suffix: String) -> String {
        typealias CoreName = @convention(c) () -> UnsafePointer<CChar>?
        guard name.hasSuffix(")"), let symbol = dlsym(handle, "openblas_get_corename" + suffix),
              let core = unsafeBitCast(symbol, to: CoreName.self)()
        else { return name }
        return "\(name.dropLast()), \(String(cString: core)))"
    }

    /// Runs `body` with OpenBLAS on one thread per core, then holds it to one thread again.
    func onOwnThreads(_ body: () -> Void) {
        threadSetter?(Int32(Parallel.coreCount))
        defer { threadSetter?(1) }
        body()
    }

    func threadCount() -> Int {
        guard !splitsProducts, let threadQuery else { return Parallel.coreCount }
        return max(1, Int(threadQuery()))
    }

    /// Whether sizes and strides up to `largest` fit the library's integer type.
    func accepts(largest: Int) -> Bool {
        guard case .lp64 = entry else { return true }
        return largest <= Int(Int32.max)
    }

    func sgemm(
        _ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
        _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) {
        let opA = transA ? Self.trans : Self.noTrans, opB = transB ? Self.trans : Self.noTrans
        switch entry {
        case .lp64(let call):
            call(Self.rowMajor, opA, opB, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda),
                 b, Int32(ldb), beta, c, Int32(ldc))
        case .ilp64(let call):
            call(Self.rowMajor, opA, opB, Int64(m), Int64(n), Int64(k), alpha, a, Int64(lda),
                 b, Int64(ldb), beta, c, Int64(ldc))
        }
    }
}
