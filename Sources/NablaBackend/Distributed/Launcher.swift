import Foundation

/// What a parallel launcher (`mpirun`, `mpiexec`, Slurm's `srun`) told this process through its
/// environment, read before MPI is loaded: a process without these variables never loads MPI.
///
///     if let launcher = Launcher.current { print(launcher.variable, launcher.localSize ?? 1) }
public struct Launcher: Equatable, Sendable {
    /// The variable that showed the launcher, e.g. `OMPI_COMM_WORLD_SIZE=2`.
    public var variable: String
    /// The number of processes the launcher started on this host, when it says.
    public var localSize: Int?

    /// Variables that name the world size or a rank: Open MPI's, the PMI of MPICH and Slurm, PMIx.
    public static let worldVariables = ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"]
    /// Variables that give the number of processes on this host.
    public static let localVariables = ["OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS", "SLURM_NTASKS_PER_NODE"]

    /// The launcher seen in `environment`, or nil when the process was started on its own.
    public init?(environment: [String: String]) {
        guard let name = Self.worldVariables.first(where: { environment[$0] != nil }) else { return nil }
        variable = "\(name)=\(environment[name]!)"
        localSize = Self.localVariables.lazy.compactMap { environment[$0].flatMap { Int($0) } }.first { $0 > 0 }
    }

    /// The launcher of this process, or nil.
    public static let current = Launcher(environment: ProcessInfo.processInfo.environment)
}

/// How many threads Nabla's kernels use: `NABLA_THREADS` when set, else the cores divided among
/// the processes a launcher started on this host (so that ranks do not oversubscribe the cores),
/// else every core.
///
///     ThreadBudget.threads(cores: 16, environment: ["OMPI_COMM_WORLD_SIZE": "4", "OMPI_COMM_WORLD_LOCAL_SIZE": "4"])   // 4
public enum ThreadBudget {
    public static func threads(cores: Int, environment: [String: String]) -> Int {
        if let requested = (try? Parallel.threads(environment: environment["NABLA_THREADS"])) ?? nil { return requested }
        let local = Launcher(environment: environment).map { $0.localSize ?? 1 } ?? 1
        return Swift.max(1, cores / local)
    }
}
