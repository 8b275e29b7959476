import Foundation
import NablaCore
import NablaBackend

/// The processes of a data-parallel job, over MPI, as `torch.distributed`'s default process group.
///
/// Every sum is deterministic: each rank sums one slice of the data in rank order 0, 1, …, N−1,
/// then the slices are gathered (a reduce-scatter and an all-gather, as a ring all-reduce moves
/// data, but with the order fixed by Nabla rather than by the algorithm the MPI library picks).
/// Two runs with the same number of ranks give bit-identical results.
///
/// ```swift
/// guard let group = try ProcessGroup.fromLauncher() else { return }   // nil without mpirun
/// let total = try group.allReduce(Tensor([Float(group.rank)]))         // [0 + 1 + … + N−1]
/// let weights = try group.broadcast(Tensor.zeros([3]), from: 0)         // rank 0's tensor everywhere
/// group.finish()
/// ```
public final class ProcessGroup: @unchecked Sendable {
    /// This process's rank, 0 ..< `size`.
    public let rank: Int
    /// The number of processes.
    public let size: Int
    /// The MPI library in use.
    public let library: MPILibrary
    /// Whether this is rank 0, the one that writes files and prints.
    public var isMain: Bool { rank == 0 }
    /// This rank's weight in the gradients' average, which gradients that cross the ranks (those of
    /// synchronised batch normalization) need: `DistributedDataParallel` sets it to the rank's samples
    /// in the step, since it weighs the ranks so. 1 on every rank is the plain mean.
    public var gradientWeight = 1.0
    /// The failure of an exchange made inside tensor math (which cannot throw), thrown by the next
    /// collective that can (see `exchange`).
    var pendingFailure: Error? {
        get { failureLock.withLock { failure } }
        set { failureLock.withLock { failure = newValue } }
    }
    private var failure: Error?
    private let failureLock = NSLock()

    private init(library: MPILibrary) throws(MPIError) {
        self.library = library
        try library.initialize()
        rank = try library.rank()
        size = try library.size()
    }

    nonisolated(unsafe) private static var started: ProcessGroup?

    /// The job started by `fromLauncher`, or nil.
    public static var current: ProcessGroup? { startLock.withLock { started } }
    private static let startLock = NSLock()

    /// The job this process belongs to when a launcher (`mpirun`, `srun`) started it: loads MPI and
    /// initialises it once per process. Returns nil, loading nothing, for a process started alone.
    ///
    /// - Throws: `DistributedError.noLibrary` when a launcher started the process but no MPI
    ///   library loads; `MPIError` when MPI fails to start.
    public static func fromLauncher(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ProcessGroup? {
        guard let launcher = Launcher(environment: environment) else { return nil }
        return try startLock.withLock {
            if let started { return started }
            let library: MPILibrary
            do {
                library = try MPILibrary.load(environment: environment)
            } catch {
                throw DistributedError.noLibrary(launcher: launcher.variable, problem: "\(error)")
            }
            let group = try ProcessGroup(library: library)
            try group.agreeOnSIMDVariant()
            started = group
            return group
        }
    }

    /// Ends MPI (`MPI_Finalize`) after the last collective; call it on every rank when the job succeeds.
    public func finish() { library.finalize() }

    /// Ends every process of the job at once with `code` (`MPI_Abort`).
    public func abort(code: Int32) -> Never { library.abort(code: code) }

    /// Waits until every rank arrives.
    public func barrier() throws {
        try throwPendingFailure()
        try library.barrier()
    }

    /// Each rank's `bytes` (all of the same length), in rank order.
    public func allGather(_ bytes: [UInt8]) throws -> [[UInt8]] {
        try throwPendingFailure()
        var result = [UInt8](repeating: 0, count: bytes.count * size)
        try bytes.withUnsafeBytes { send in
            try result.withUnsafeMutableBytes { try library.allGather(send.baseAddress!, count: bytes.count, into: $0.baseAddress!) }
        }
        return (0..<size).map { Array(result[$0 * bytes.count ..< ($0 + 1) * bytes.count]) }
    }

    /// The element-wise sum of every rank's `values`, added in rank order.
    public func sum(_ values: [Double]) throws -> [Double] {
        guard size > 1 else { return values }
        let gathered = try allGather(values.withUnsafeBytes { Array($0) })
        var total = [Double](repeating: 0, count: values.count)
        for bytes in gathered {
            bytes.withUnsafeBytes { raw in
                for (i, v) in raw.bindMemory(to: Double.self).enumerated() { total[i] += v }
            }
        }
        return total
    }

    /// Replaces `buffer` on every rank with the element-wise sum over the ranks, in rank order.
    public func sumInPlace(_ buffer: UnsafeMutableBufferPointer<Float>) throws {
        try throwPendingFailure()
        guard size > 1, !buffer.isEmpty else { return }
        let slice = (buffer.count + size - 1) / size, padded = slice * size, bytes = slice * MemoryLayout<Float>.stride
        // Two scratch buffers and one pass each way: the gradients are large and the steps small.
        let send = UnsafeMutablePointer<Float>.allocate(capacity: padded)
        let received = UnsafeMutablePointer<Float>.allocate(capacity: padded)
        defer { send.deallocate(); received.deallocate() }
        send.initialize(from: buffer.baseAddress!, count: buffer.count)
        (send + buffer.count).initialize(repeating: 0, count: padded - buffer.count)
        try library.allToAll(UnsafeRawPointer(send), count: bytes, into: UnsafeMutableRawPointer(received))
        // Slice `rank` of every rank's buffer is here, in rank order: add them in that order, into the first.
        for r in 1..<size {
            let from = received + r * slice
            for i in 0..<slice { received[i] += from[i] }
        }
        try library.allGather(UnsafeRawPointer(received), count: bytes, into: UnsafeMutableRawPointer(send))
        buffer.baseAddress!.update(from: send, count: buffer.count)
    }

    /// The element-wise sum of `tensor` over the ranks (deterministic, see the type's notes).
    public func allReduce(_ tensor: Tensor) throws -> Tensor {
        var scalars = tensor.scalars
        try scalars.withUnsafeMutableBufferPointer { try sumInPlace($0) }
        return Tensor(shape: tensor.shape, scalars: scalars)
    }

    /// Rank `root`'s `tensor` on every rank; every rank passes a tensor of the same shape.
    public func broadcast(_ tensor: Tensor, from root: Int = 0) throws -> Tensor {
        try throwPendingFailure()
        var scalars = tensor.scalars
        try scalars.withUnsafeMutableBytes { try library.broadcast($0.baseAddress!, count: $0.count, root: root) }
        return Tensor(shape: tensor.shape, scalars: scalars)
    }

    /// Rank `root`'s `bytes` on every rank; the others' lengths may differ.
    public func broadcast(_ bytes: [UInt8], from root: Int = 0) throws -> [UInt8] {
        try throwPendingFailure()
        var count = [Int64(bytes.count)]
        try count.withUnsafeMutableBytes { try library.broadcast($0.baseAddress!, count: 8, root: root) }
        var result = rank == root ? bytes : [UInt8](repeating: 0, count: Int(count[0]))
        if !result.isEmpty {
            try result.withUnsafeMutableBytes { try library.broadcast($0.baseAddress!, count: $0.count, root: root) }
        }
        return result
    }

    /// Whether `condition` holds on any rank.
    public func any(_ condition: Bool) throws -> Bool { try sum([condition ? 1 : 0])[0] > 0 }

    /// Makes every rank run the slowest SIMD variant that any rank selected (`SIMDVariant.lower(to:)`), so
    /// that replicas on different CPUs, or started with different `NABLA_SIMD`, compute the same bits.
    func agreeOnSIMDVariant() throws {
        let mine = SIMDVariant.allCases.map { $0 == SIMDVariant.selected ? 1.0 : 0 }
        let counts = try sum(mine)
        if let slowest = SIMDVariant.allCases.indices.first(where: { counts[$0] > 0 }) {
            SIMDVariant.lower(to: SIMDVariant.allCases[slowest])
        }
    }
}

/// A distributed job that cannot start or cannot go on.
public enum DistributedError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A launcher started the process, but no MPI library loads.
    case noLibrary(launcher: String, problem: String)
    /// The ranks were given different settings or models: their hashes differ from rank 0's.
    case configurationMismatch(ranks: [Int], size: Int)
    /// Another rank failed; it reports the cause.
    case peerFailed(rank: Int, step: String)

    public var description: String {
        switch self {
        case .noLibrary(let launcher, let problem):
            return "started by a parallel launcher (\(launcher)) but \(problem)"
        case .configurationMismatch(let ranks, let size):
            return "ranks \(ranks.map(String.init).joined(separator: ", ")) of \(size) were given other settings or another model "
                + "than rank 0; start every rank with the same options"
        case .peerFailed(let rank, let step):
            return "rank \(rank) failed to \(step); see its message"
        }
    }
}
