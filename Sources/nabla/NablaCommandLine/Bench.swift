import ArgumentParser
import Foundation
import Nabla

/// `nabla bench`: the reference workloads, timed, with the same keys as Benchmarks/torch_reference.py.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the reference performance workloads (see Benchmarks/README.md).")

    static let workloads = ["mlp_step_ms_b128", "cnn_step_ms_b64", "lstm_step_ms_b64", "tiny_chain_us_per_op",
                            "sgemm1024_gflops", "fmnist_mlp_5ep_s", "gpt_step_ms"]

    @Option(help: "Run only this workload: \(workloads.joined(separator: ", ")).") var workload: String?
    @Flag(help: "Print one JSON object.") var json = false
    @Flag(help: "Run every workload once, briefly, and only check that the numbers are finite (for CI).") var smoke = false
    @Option(help: "Folder with the Fashion-MNIST IDX files.") var dataDir: String?
    @Option(help: "Seed of fmnist_mlp_5ep_s, which trains as `nabla train --model mlp --seed SEED` does.") var seed: UInt64 = 0

    /// Each step workload's achieved GFLOP/s (`WorkloadFlops`) and its fraction of the SGEMM rate measured in
    /// this process, the faster of a 1024³ and a 448³ product (`<name>_gflops`, `<name>_peak_fraction`, and
    /// the rate as `peak_sgemm_gflops`).
    private func addFractionOfPeak(to results: inout [String: Double]) {
        let steps: [(key: String, name: String, flops: Double)] = [
            ("mlp_step_ms_b128", "mlp_step", WorkloadFlops.mlpStep), ("cnn_step_ms_b64", "cnn_step", WorkloadFlops.cnnStep),
            ("lstm_step_ms_b64", "lstm_step", WorkloadFlops.lstmStep), ("gpt_step_ms", "gpt_step", WorkloadFlops.gptStep)]
        let measured = steps.filter { results[$0.key] != nil }
        guard !measured.isEmpty else { return }
        // The faster of the two paths a product can take: 1024³ goes to the system BLAS, and 448³ (under
        // `BLAS.ownThreadsFrom`) to Nabla's AVX-512 kernel where the CPU runs it.
        let large = results["sgemm1024_gflops"] ?? CoreWorkloads.sgemmGflops(size: smoke ? 256 : 1024, repeats: smoke ? 2 : 5)
        let peak = Swift.max(large, CoreWorkloads.sgemmGflops(size: smoke ? 128 : 448, repeats: smoke ? 2 : 10))
        for step in measured {
            let gflops = step.flops / (results[step.key]! / 1e3) / 1e9
            results["\(step.name)_gflops"] = gflops
            results["\(step.name)_peak_fraction"] = gflops / peak
        }
        results["peak_sgemm_gflops"] = peak
    }

    func run() throws {
        try reportingErrors {
            if let workload, !Self.workloads.contains(workload) {
                throw ValidationError("--workload \(workload): unknown; use one of \(Self.workloads.joined(separator: ", "))")
            }
            var results: [String: Double] = [:]
            let repeats = smoke ? 1 : 0
            func wanted(_ name: String) -> Bool { workload == nil || workload == name }
            if wanted("mlp_step_ms_b128") { results["mlp_step_ms_b128"] = TrainingWorkloads.mlpStepMilliseconds(repeats: repeats > 0 ? 2 : 50) }
            if wanted("cnn_step_ms_b64") { results["cnn_step_ms_b64"] = TrainingWorkloads.cnnStepMilliseconds(repeats: repeats > 0 ? 2 : 20) }
            if wanted("lstm_step_ms_b64") { results["lstm_step_ms_b64"] = TrainingWorkloads.lstmStepMilliseconds(repeats: repeats > 0 ? 2 : 20) }
            if wanted("gpt_step_ms") { results["gpt_step_ms"] = TrainingWorkloads.gptStepMilliseconds(repeats: repeats > 0 ? 2 : 20) }
            if wanted("tiny_chain_us_per_op") { results["tiny_chain_us_per_op"] = CoreWorkloads.tinyChainMicrosecondsPerOp(repeats: repeats > 0 ? 5 : 200) }
            if wanted("sgemm1024_gflops") {
                // Next to the reference it must come close to: the system BLAS called directly.
                let (nabla, direct) = CoreWorkloads.sgemmAgainstDirect(size: smoke ? 256 : 1024, repeats: repeats > 0 ? 2 : 10)
                results["sgemm1024_gflops"] = nabla
                results["sgemm1024_blas_direct_gflops"] = direct
            }
            if wanted("fmnist_mlp_5ep_s") {
                if let (seconds, accuracy) = TrainingWorkloads.fashionMLPFiveEpochs(directory: dataDir, epochs: smoke ? 1 : 5, seed: seed) {
                    results["fmnist_mlp_5ep_s"] = seconds
                    results["fmnist_mlp_5ep_test_acc"] = accuracy
                } else if !json {
                    print("fmnist_mlp_5ep_s: skipped (Fashion-MNIST not found; apt-get install dataset-fashion-mnist)")
                }
            }
            addFractionOfPeak(to: &results)
            results["peak_memory_mib"] = Timing.peakMemoryMiB()
            if smoke {
                let bad = results.filter { !$0.value.isFinite || $0.value <= 0 }
                guard bad.isEmpty else { throw ValidationError("bench --smoke: non-finite or non-positive results \(bad)") }
            }
            if json {
                print(try jsonLine(results))
            } else {
                for key in results.keys.sorted() { print("\(key): \(String(format: "%.4g", results[key]!))") }
                print("(\(BLAS.name), \(Parallel.coreCount) cores)")
            }
        }
    }
}
