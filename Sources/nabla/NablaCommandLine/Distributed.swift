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
        // Settings errors, and training errors (stops every rank agrees on), are rank 0's to report.
        if error is ConfigurationError || error is DistributedError || error is TrainingError { return nil }
        return "error: rank \(group.rank) of \(group.size): \(commandLineMessage(for: error))"
    }

    /// Under a launcher, holds a rank's exit until rank 0 has reported: the launcher ends the whole job
    /// when any rank exits with an error, which could cut rank 0's message or its last checkpoint short.
    /// Errors every rank meets at the same point (a training stop, differing settings) wait at a
    /// barrier; a rank that leaves the report to rank 0 otherwise waits a moment.
    static func settle(after error: Error) {
        guard let group = ProcessGroup.current, group.size > 1 else { return }
        if case .configurationMismatch? = error as? DistributedError {
            try? group.barrier()
        } else if error is TrainingError {
            try? group.barrier()
        } else if !group.isMain, errorLine(for: error) == nil {
            usleep(2_000_000)
        }
    }

    /// How much of the training time rank 0 spent averaging gradients, for a distributed run.
    static func communicationLine(_ run: TrainingRun, seconds: Double) -> String? {
        guard let parallel = run.trainer.distributed, let group = run.group, seconds > 0 else { return nil }
        let share = 100 * parallel.communicationSeconds / seconds
        return "ranks: \(group.size); averaging gradients took \(String(format: "%.2f", parallel.communicationSeconds)) s of "
            + "\(String(format: "%.2f", seconds)) s (\(String(format: "%.1f", share))%, waits for the slowest rank included)"
    }

    /// The `MPI:` line of `nabla info`.
    static func infoLine(_ group: ProcessGroup?) -> String {
        guard let group else { return "MPI: not started (no launcher such as mpirun; a single process)" }
        let local = Launcher.current?.localSize.map { ", \($0) on this host" } ?? ""
        return "MPI: \(group.library.name), rank \(group.rank) of \(group.size)\(local)"
    }
}
