import ArgumentParser
import Foundation
import Nabla

/// `nabla info`: version, backend, BLAS and threads.
struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version, the backend and BLAS in use and the thread counts.")

    func run() throws {
        print("Nabla \(Nabla.version)")
        print("backend: \(Backends.selected.name) (NABLA_BACKEND chooses among \(Backends.all.map { $0.name }.joined(separator: ", ")))")
        print("BLAS: \(BLAS.name)")
        let setByUser = ProcessInfo.processInfo.environment["NABLA_THREADS"].map { !$0.isEmpty } ?? false
        let pool = setByUser ? "set by NABLA_THREADS; \(Parallel.hardwareCount) cores" : "Nabla's thread pool, one per core"
        print("threads: \(Parallel.coreCount) (\(pool))")
        print("threads per large matrix product: \(BLAS.threadCount) (\(BLAS.threadCountMeaning))")
    }
}
