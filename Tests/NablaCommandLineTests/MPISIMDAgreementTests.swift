import Foundation
import Testing
import Nabla

/// The ranks of a job run one SIMD variant, the slowest any of them chose, so that replicas compute the
/// same bits: here one rank is started with `NABLA_SIMD=baseline` and the other with the CPU's fastest.
@Suite(.enabled(if: MPIJob.mpirun != nil && SIMDVariant.supported.count > 1, "needs mpirun and a CPU with a SIMD variant"))
struct MPISIMDAgreementTests {
    @Test func ranksThatChoseDifferentVariantsRunTheSlowest() throws {
        // Open MPI's MPMD form: one rank with NABLA_SIMD=baseline, one without.
        let job = try MPIJob.run(arguments: ["-np", "1", "-x", "NABLA_SIMD=baseline", MPIJob.nabla, "info", ":",
                                             "-np", "1", "-x", "NABLA_SIMD=", MPIJob.nabla, "info"])
        #expect(job.status == 0, "\(job.errors)")
        let lines = job.output.split(separator: "\n").filter { $0.hasPrefix("SIMD kernels: ") }
        #expect(lines.count == 2, "\(job.output)")
        #expect(lines.allSatisfy { $0.hasPrefix("SIMD kernels: baseline (") }, "\(lines)")
        let fastest = SIMDVariant.supported.last!
        #expect(lines.contains { $0.contains("the slowest any rank chose; this one chose \(fastest)") }, "\(lines)")
    }
}
