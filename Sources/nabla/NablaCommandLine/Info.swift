import ArgumentParser
import Foundation
import Nabla

/// `nabla info`: version, backend, BLAS and threads.
struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version, the backend and BLAS in use and the thread count.")

    func run() throws {
        print("Nabla \(Nabla.version)")
        print("backend: \(Backends.selected.name) (NABLA_BACKEND chooses among \(Backends.all.map { $0.name }.joined(separator: ", ")))")
        print("BLAS: \(BLAS.name)")
        let chosen = ProcessInfo.processInfo.environment["NABLA_THREADS"].flatMap { $0.isEmpty ? nil : "set by NABLA_THREADS" }
        print("threads: \(Parallel.coreCount) (\(chosen ?? "one per core; NABLA_THREADS sets it"); \(Parallel.hardwareCount) cores) "
              + "(BLAS threads: \(BLAS.threadCount))")
    }
}
