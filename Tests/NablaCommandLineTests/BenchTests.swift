import Foundation
import Testing
import Nabla

/// `nabla bench`: the flop counts behind its fraction of peak, and the keys it prints.
@Suite struct BenchTests {
    @Test func flopCountsAreTheSumsInBenchmarksReadme() {
        // 2 × (forward + weight gradients + input gradients [+ attention's backward]) multiply–adds.
        #expect(WorkloadFlops.mlpStep == 2 * (30_048_256 + 30_048_256 + 4_358_144))
        #expect(WorkloadFlops.cnnStep == 2 * (77_955_072 + 77_955_072 + 70_729_728))
        #expect(WorkloadFlops.lstmStep == 2 * (143_212_544 + 143_212_544 + 117_522_432))
        #expect(WorkloadFlops.gptStep == 2 * (665_419_776 + 615_088_128 + 615_088_128 + 100_663_296))
    }

    @Test func eachStepWorkloadReportsItsRateAndFractionOfTheSGEMMRate() throws {
        let child = try ChildProcess.run(["bench", "--smoke", "--json", "--workload", "mlp_step_ms_b128"])
        #expect(child.exitStatus == 0, "\(child.standardError)")
        let line = try #require(child.standardOutput.split(separator: "\n").last)
        let result = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Double])
        let (ms, gflops, fraction, peak) = (result["mlp_step_ms_b128"] ?? 0, result["mlp_step_gflops"] ?? 0,
                                            result["mlp_step_peak_fraction"] ?? 0, result["peak_sgemm_gflops"] ?? 0)
        #expect(ms > 0 && peak > 0)
        #expect(Swift.abs(gflops - WorkloadFlops.mlpStep / (ms / 1e3) / 1e9) <= 1e-9 * gflops)
        #expect(Swift.abs(fraction - gflops / peak) <= 1e-9 * fraction)
    }
}
