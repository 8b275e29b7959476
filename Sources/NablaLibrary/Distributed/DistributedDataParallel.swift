import Foundation
import NablaCore
import NablaBackend

/// Data parallelism over a `ProcessGroup`, as PyTorch's `DistributedDataParallel`: every rank
/// holds the whole model, runs its shard of each global batch, and averages the gradients before
/// the optimizer steps, so that every rank takes the same step a single process would take on the
/// whole batch.
///
/// Gradients are packed into a few buckets of at most `bucketCapacity` scalars (one collective per
/// bucket, not per tensor) and weighted by each rank's sample count, so that short or uneven
/// shards give the mean over the global batch. Creating the wrapper copies rank 0's parameters and
/// buffers to every rank.
///
/// ```swift
/// let group = try ProcessGroup.fromLauncher()!
/// let ddp = try DistributedDataParallel(model, group: group)
/// loader.shard = DataShard(rank: group.rank, count: group.size)   // each rank's part of every batch
/// for (x, y) in loader {
///     optimizer.zeroGrad()
///     crossEntropy(ddp(x), y).backward()
///     try ddp.step(optimizer, samples: x.shape[0])                 // averages gradients, then steps
/// }
/// ```
///
/// With gradient accumulation, call `synchronizeGradients` once, after the last micro-step's
/// `backward`, with the samples of all the micro-steps: the earlier micro-steps skip it, as
/// `no_sync` does in PyTorch.
public final class DistributedDataParallel {
    /// The wrapped model.
    public let module: Module
    public let group: ProcessGroup
    /// The most scalars one bucket holds (a larger parameter gets a bucket of its own).
    public let bucketCapacity: Int
    let parameters: [Parameter]
    /// Parameter index ranges, one per bucket, in parameter order.
    let buckets: [Range<Int>]
    /// Seconds spent in `synchronizeGradients` so far: the gradients' collectives, and the wait for
    /// the slowest rank to reach them.
    public private(set) var communicationSeconds = 0.0
    /// Whether any rank asked the trainer to stop, and the signal, as agreed in the last step.
    var agreedStop: (stop: Bool, signal: Int32?) = (false, nil)
    /// Whether the module had synchronised layers (`Module.synchronizeBatchNorm(over:)`) when wrapped:
    /// every rank must then run every forward and backward pass, even on no samples.
    public let synchronizedLayers: Bool

    /// Wraps `module`, copying rank 0's parameters and buffers to every rank. Synchronise its
    /// BatchNorm layers, if wanted, before.
    public init(_ module: Module, group: ProcessGroup, bucketCapacity: Int = 1 << 20) throws {
        precondition(bucketCapacity > 0, "DistributedDataParallel: bucketCapacity \(bucketCapacity) must be positive")
        self.module = module
        self.group = group
        self.bucketCapacity = bucketCapacity
        synchronizedLayers = module.hasSynchronizedLayers
        parameters = module.parameters
        buckets = Self.plan(parameters.map(\.count), capacity: bucketCapacity)
        try broadcastParameters()
        try broadcastBuffers()
    }

    /// Runs the wrapped model on this rank's `input`, whose rows are then its weight in the gradients'
    /// average (`ProcessGroup.gradientWeight`, which synchronised BatchNorm's gradient needs).
    public func callAsFunction(_ input: Tensor) -> Tensor {
        group.gradientWeight = Double(input.shape.first ?? 1)
        return module(input)
    }

    /// Splits consecutive parameters into buckets of at most `capacity` scalars.
    static func plan(_ counts: [Int], capacity: Int) -> [Range<Int>] {
        var buckets: [Range<Int>] = [], start = 0, filled = 0
        for (i, count) in counts.enumerated() {
            if filled > 0, filled + count > capacity {
                buckets.append(start..<i)
                (start, filled) = (i, 0)
            }
            filled += count
        }
        if start < counts.count || counts.isEmpty { buckets.append(start..<counts.count) }
        return buckets
    }

    /// Copies rank 0's parameter values to every rank.
    public func broadcastParameters() throws {
        for parameter in parameters {
            var failure: Error?
            parameter.update { buffer in
                do {
                    try group.library.broadcast(buffer.baseAddress!, count: buffer.count * MemoryLayout<Float>.stride, root: 0)
                } catch { failure = error }
            }
            if let failure { throw failure }
        }
    }

    /// Copies rank 0's buffers (BatchNorm's running statistics) to every rank, as PyTorch's `broadcast_buffers`.
    public func broadcastBuffers() throws {
        for (_, buffer) in module.namedBuffers() { buffer.assign(try group.broadcast(buffer.value, from: 0)) }
    }

    /// Copies rank 0's optimizer state (moments, step counts, learning rate) to every rank.
    public func broadcastState(of optimizer: Optimizer) throws {
        let state = optimizer.stateDict()
        let shapes = state.keys.sorted().map { "\($0)=\(state[$0]!.shape.map(String.init).joined(separator: "x"))" }
        let names = try group.broadcast(Array(shapes.joined(separator: "\n").utf8), from: 0)
        var received: [String: Tensor] = [:]
        for line in String(decoding: names, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            let shape = parts.count == 2 ? parts[1].split(separator: "x").compactMap { Int($0) } : []
            let key = String(parts[0])
            received[key] = try group.broadcast(state[key] ?? Tensor(shape: shape, scalars: [Float](repeating: 0, count: Shape.count(shape))))
        }
        if !group.isMain { try optimizer.loadStateDict(received) }
    }

    /// Averages every parameter's gradient over the ranks, weighting each rank by its `samples`;
    /// returns the samples of all ranks. A parameter keeps no gradient only if no rank gave it one.
    @discardableResult
    public func synchronizeGradients(samples: Int) throws -> Int {
        try synchronizeGradients(samples: samples, adding: []).samples
    }

    /// `synchronizeGradients`, also summing `figures` over the ranks (in Float32) in the same collectives.
    /// The last bucket carries a header after its gradients: the samples, a has-gradient flag per
    /// parameter, then the figures.
    func synchronizeGradients(samples: Int, adding figures: [Double]) throws -> (samples: Int, figures: [Double]) {
        let start = Timing.now()
        defer { communicationSeconds += Timing.now() - start }
        var reduced: [(Range<Int>, [Float])] = []
        for (index, bucket) in buckets.enumerated() {
            let last = index == buckets.count - 1
            let scalars = parameters[bucket].reduce(0) { $0 + $1.count }
            let header = last ? [Float(samples)] + parameters.map { $0.grad == nil ? 0 : 1 } + figures.map(Float.init) : []
            var packed = [Float](unsafeUninitializedCapacity: scalars + header.count) { out, count in
                pack(bucket, weight: Float(samples), into: out.baseAddress!)
                (out.baseAddress! + scalars).initialize(from: header, count: header.count)
                count = scalars + header.count
            }
            try packed.withUnsafeMutableBufferPointer { try group.sumInPlace($0) }
            reduced.append((bucket, packed))
        }
        let header = Array(reduced.last!.1.suffix(1 + parameters.count + figures.count))
        let total = Int(header[0])
        for (bucket, packed) in reduced { unpack(bucket, from: packed, total: Float(total), present: Array(header[1...])) }
        return (total, header.suffix(figures.count).map(Double.init))
    }

    /// Gradients × `weight`, parameter after parameter (zeros for a parameter without one), written to `out`.
    private func pack(_ bucket: Range<Int>, weight: Float, into out: UnsafeMutablePointer<Float>) {
        var offset = 0
        for parameter in parameters[bucket] {
            if let grad = parameter.grad {
                grad.withUnsafeBufferPointer { g in
                    for i in 0..<g.count { (out + offset + i).initialize(to: g[i] * weight) }
                }
            } else {
                (out + offset).initialize(repeating: 0, count: parameter.count)
            }
            offset += parameter.count
        }
    }

    /// The summed gradients ÷ `total`, written back as each parameter's gradient.
    private func unpack(_ bucket: Range<Int>, from packed: [Float], total: Float, present: [Float]) {
        var offset = 0
        for index in bucket {
            let parameter = parameters[index]
            defer { offset += parameter.count }
            guard present[index] > 0, total > 0 else { parameter.grad = nil; continue }
            let storage = TensorStorage.uninitialized(count: parameter.count)
            packed.withUnsafeBufferPointer { p in
                for i in 0..<parameter.count { storage.pointer[i] = p[offset + i] / total }
            }
            parameter.grad = Tensor(shape: parameter.shape, storage: storage)
        }
    }

    /// Averages the gradients (`synchronizeGradients`) and steps `optimizer`; returns the samples of all ranks.
    @discardableResult
    public func step(_ optimizer: Optimizer, samples: Int) throws -> Int {
        let total = try synchronizeGradients(samples: samples)
        optimizer.step()
        return total
    }
}

/// One rank's part of every batch: the `rank`-th of `count` near-equal contiguous slices, as
/// PyTorch's `DistributedSampler` splits the data (but per global batch, so that `batchSize`
/// stays the global batch size).
///
/// ```swift
/// loader.shard = DataShard(rank: 1, count: 2)   // a batch of 5 samples: this rank gets the last 3
/// ```
public struct DataShard: Equatable, Sendable {
    public var rank: Int
    public var count: Int

    public init(rank: Int, count: Int) {
        precondition(count >= 1 && (0..<count).contains(rank), "DataShard: rank \(rank) is not in 0..<\(count)")
        (self.rank, self.count) = (rank, count)
    }

    /// This rank's slice of `range`.
    public func slice(of range: Range<Int>) -> Range<Int> {
        let n = range.count
        return range.lowerBound + n * rank / count ..< range.lowerBound + n * (rank + 1) / count
    }
}
