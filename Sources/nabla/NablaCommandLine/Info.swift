import ArgumentParser
import Foundation
import Nabla

/// `nabla info`: version, backend, BLAS, SIMD kernels and threads.
struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version, the backend, BLAS and SIMD kernels in use and the thread counts.")

    func run() throws {
        try reportingErrors { try report() }
    }

    private func report() throws {
        let group = try ProcessGroup.fromLauncher()
        print("Nabla \(Nabla.version)")
        print("backend: \(Backends.selected.name) (NABLA_BACKEND chooses among \(Backends.all.map { $0.name }.joined(separator: ", ")))")
        print("BLAS: \(BLAS.name)")
        let simdChoice = SIMDVariant.selected != SIMDVariant.chosenAtStartUp
            ? "the slowest any rank chose; this one chose \(SIMDVariant.chosenAtStartUp)"
            : SIMDVariant.isForced ? "set by NABLA_SIMD" : "the fastest this CPU runs"
        let simdNames = SIMDVariant.supported.map(\.rawValue).joined(separator: ", ")
        print("SIMD kernels: \(SIMDVariant.selected) (\(simdChoice); supported: \(simdNames))")
        let setByUser = ProcessInfo.processInfo.environment["NABLA_THREADS"].map { !$0.isEmpty } ?? false
        let pool = setByUser ? "set by NABLA_THREADS; \(Parallel.hardwareCount) cores" : "Nabla's thread pool, one per core"
        print("threads: \(Parallel.coreCount) (\(pool))")
        print("threads per large matrix product: \(BLAS.threadCount) (\(BLAS.threadCountMeaning))")
        print(DistributedCommandLine.infoLine(group))
        group?.finish()
    }
}
