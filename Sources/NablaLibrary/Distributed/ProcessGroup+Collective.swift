import Foundation
import NablaCore

extension ProcessGroup: CollectiveGroup {
    /// Every rank's `values` (the same count on each), in rank order, for tensor math that spans the
    /// ranks (synchronised batch normalization). A failed exchange returns nil and is kept: the next
    /// collective that can throw (`DistributedDataParallel`'s gradient average, which ends every
    /// training step) throws it, and no MPI call is made in between.
    public func exchange(_ values: [Double]) -> [[Double]]? {
        guard pendingFailure == nil else { return nil }
        do {
            let gathered = try allGather(values.withUnsafeBytes { Array($0) })
            return gathered.map { bytes in bytes.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) } }
        } catch {
            pendingFailure = error
            return nil
        }
    }

    /// Throws the failure an `exchange` kept, once.
    func throwPendingFailure() throws {
        guard let failure = pendingFailure else { return }
        pendingFailure = nil
        throw failure
    }
}
