import NablaLibrary
import NablaCore
import NablaBackend

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

    /// A `size`×`size` by `size`×`size` float32 matrix product through `matmul`, alone: GFLOP/s (median).
    public static func sgemmGflops(size: Int = 1024, repeats: Int = 10) -> Double {
        let a = Tensor.normal([size, size], generator: &Generator.benchmark)
        let b = Tensor.normal([size, size], generator: &Generator.benchmark)
        _ = a.matmul(b)
        let seconds = Timing.median(repeats: Swift.max(repeats, 1), warmup: 2) { _ = a.matmul(b) }
        return 2 * Double(size * size * size) / seconds / 1e9
    }

    /// The same product through `matmul` and through the system BLAS called directly on its own
    /// threads, timed alternately (A B A B …) so that both see the same machine: GFLOP/s each, the
    /// direct one `nil` when Nabla runs on its builtin kernel.
    public static func sgemmAgainstDirect(size: Int = 1024, repeats: Int = 10) -> (nabla: Double, direct: Double?) {
        let a = Tensor.normal([size, size], generator: &Generator.benchmark)
        let b = Tensor.normal([size, size], generator: &Generator.benchmark)
        let c = TensorStorage.repeating(0, count: size * size)
        let direct = { BLAS.directSquareProduct(a.storage.pointer, b.storage.pointer, c.pointer, size: size) }
        let hasDirect = direct()
        var times: (nabla: [Double], direct: [Double]) = ([], [])
        for round in -2..<Swift.max(repeats, 1) {
            let start = Timing.now()
            _ = a.matmul(b)
            let middle = Timing.now()
            if hasDirect { _ = direct() }
            // The first two rounds warm up.
            if round >= 0 { times = (times.nabla + [middle - start], times.direct + [Timing.now() - middle]) }
        }
        let flops = 2 * Double(size * size * size)
        func gflops(_ t: [Double]) -> Double { flops / t.sorted()[t.count / 2] / 1e9 }
        return (gflops(times.nabla), hasDirect ? gflops(times.direct) : nil)
    }
}

extension Generator {
    /// A fixed-seed generator for benchmark inputs.
    nonisolated(unsafe) static var benchmark = Generator(seed: 1234)
}
