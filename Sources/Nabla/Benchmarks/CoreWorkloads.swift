/// The core benchmark workloads, defined exactly as in the project's reference table and mirrored by
/// `Benchmarks/torch_reference.py`.
public enum CoreWorkloads {
    /// 100 chained `tanh(x * 1.01 + 0.01)` on 16 elements, then `sum().backward()`: microseconds per link.
    public static func tinyChainMicrosecondsPerOp(repeats: Int = 200) -> Double {
        let x = Tensor.normal([16], generator: &Generator.benchmark).requiringGrad()
        let seconds = Timing.median(repeats: repeats, warmup: 20) {
            var y = x
            for _ in 0..<100 { y = (y * 1.01 + 0.01).tanh() }
            y.sum().backward()
            x.zeroGrad()
        }
        return seconds / 100 * 1e6
    }

    /// 1024×1024 by 1024×1024 float32 matrix product through `matmul`: GFLOP/s.
    public static func sgemmGflops(size: Int = 1024, repeats: Int = 10) -> Double {
        let a = Tensor.normal([size, size], generator: &Generator.benchmark)
        let b = Tensor.normal([size, size], generator: &Generator.benchmark)
        let seconds = Timing.median(repeats: repeats, warmup: 2) { _ = a.matmul(b) }
        return 2 * Double(size * size * size) / seconds / 1e9
    }

    /// The same product through the system BLAS called directly, on its own threads: GFLOP/s, or
    /// `nil` when Nabla runs on its builtin kernel.
    public static func directSgemmGflops(size: Int = 1024, repeats: Int = 10) -> Double? {
        let a = Tensor.normal([size, size], generator: &Generator.benchmark)
        let b = Tensor.normal([size, size], generator: &Generator.benchmark)
        let c = TensorStorage(repeating: 0, count: size * size)
        guard BLAS.directSquareProduct(a.storage.pointer, b.storage.pointer, c.pointer, size: size) else { return nil }
        let seconds = Timing.median(repeats: repeats, warmup: 2) {
            _ = BLAS.directSquareProduct(a.storage.pointer, b.storage.pointer, c.pointer, size: size)
        }
        return 2 * Double(size * size * size) / seconds / 1e9
    }
}

extension Generator {
    /// A fixed-seed generator for benchmark inputs.
    nonisolated(unsafe) static var benchmark = Generator(seed: 1234)
}
