import ArgumentParser
import Nabla

/// `nabla info`: version, backend, BLAS and threads.
struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version, the backend and BLAS in use and the thread count.")

    func run() throws {
        try reportingErrors { try report() }
    }

    private func report() throws {
        let group = try ProcessGroup.fromLauncher()
        print("Nabla \(Nabla.version)")
        print("backend: \(Backends.selected.name) (NABLA_BACKEND chooses among \(Backends.all.map { $0.name }.joined(separator: ", ")))")
        print("BLAS: \(BLAS.name)")
        print("threads: \(Parallel.coreCount) (BLAS threads: \(BLAS.threadCount))")
        print(DistributedCommandLine.infoLine(group))
        group?.finish()
    }
}
