import Foundation
import Nabla

/// What `nabla` does under a parallel launcher (`mpirun -np N nabla train …`).
enum DistributedCommandLine {
    /// The error line this process prints, or nil when another rank prints it: rank 0 reports the
    /// settings errors that every rank meets alike, and a rank that stops because another failed
    /// leaves the cause to that one. Other ranks' own errors carry their rank.
    static func errorLine(for error: Error) -> String? {
        if case DistributedError.peerFailed = error { return nil }
        guard let group = ProcessGroup.current, !group.isMain else { return "error: \(commandLineMessage(for: error))" }
        if error is ConfigurationError || error is DistributedError { return nil }
        return "error: rank \(group.rank) of \(group.size): \(commandLineMessage(for: error))"
    }

    /// The `MPI:` line of `nabla info`.
    static func infoLine(_ group: ProcessGroup?) -> String {
        guard let group else { return "MPI: not started (no launcher such as mpirun; a single process)" }
        let local = Launcher.current?.localSize.map { ", \($0) on this host" } ?? ""
        return "MPI: \(group.library.name), rank \(group.rank) of \(group.size)\(local)"
    }
}
