import ArgumentParser
import Nabla

/// `nabla info`: version, BLAS and threads.
struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version, the BLAS in use and the thread count.")

    func run() throws {
        print("Nabla \(Nabla.version)")
        print("BLAS: \(BLAS.name)")
        print("threads: \(Parallel.coreCount) (BLAS threads: \(BLAS.threadCount))")
    }
}
