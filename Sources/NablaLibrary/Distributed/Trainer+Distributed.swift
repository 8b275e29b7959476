import Foundation
import NablaCore
import NablaBackend

extension Trainer {
    /// Trains data-parallel over `group`: every rank runs this same trainer on its shard of each
    /// global batch (`train.batchSize` stays the global batch), gradients are averaged before each
    /// step, and validation is split across the ranks with its figures summed. Every decision that
    /// ends training (a stop request, a NaN or diverging loss, early stopping, the step and epoch
    /// limits) is taken on figures that all ranks share, so every rank stops at the same step.
    ///
    /// Copies rank 0's parameters, buffers and optimizer state to every rank; call it after
    /// `resume`. Only rank 0 should set `checkpointDirectory`. Rank 0 keeps the random stream it
    /// had; the others draw from streams derived from it and their rank.
    ///
    /// With `synchronizeBatchNorm`, the model's BatchNorm layers normalize over the whole global
    /// batch (`Module.synchronizeBatchNorm(over:)`), so that training on N ranks takes the steps one
    /// process takes on the same batches; without, each rank's layers use its own shard's statistics,
    /// as PyTorch's DDP does unless told otherwise. It changes nothing for a model without BatchNorm.
    ///
    /// ```swift
    /// if let group = try ProcessGroup.fromLauncher() {
    ///     try trainer.distribute(over: group, synchronizeBatchNorm: true)
    ///     if !group.isMain { trainer.checkpointDirectory = nil }
    /// }
    /// try trainer.fit()
    /// ```
    public func distribute(over group: ProcessGroup, synchronizeBatchNorm: Bool = false) throws {
        if synchronizeBatchNorm { model.synchronizeBatchNorm(over: group) }
        let parallel = try DistributedDataParallel(model, group: group)
        try parallel.broadcastState(of: optimizer)
        train.shard = DataShard(rank: group.rank, count: group.size)
        distributed = parallel
        if group.rank > 0 {
            var seeds = Random.generator
            Random.generator = Generator(seed: seeds.next() ^ UInt64(group.rank) &* 0x9E37_79B9_7F4A_7C15)
        }
    }

    /// Whether to stop before the next step, and the signal that asked. In a distributed run the ranks
    /// agreed on it in the previous step's collectives (`distributedStep`): a stop asked on any rank
    /// stops all before the same step, with the signal of the lowest rank that received one.
    func agreedStopRequest() throws -> (stop: Bool, signal: Int32?) {
        guard let distributed else { return (stopRequest?.isRequested ?? false, stopRequest?.signal) }
        return distributed.agreedStop
    }

    /// One step on this rank's shard: the loss, sample and hit counts are summed over the ranks, with
    /// the gradients, before any check, so that all ranks see the same figures and agree to stop
    /// (before the optimizer steps).
    func distributedStep(_ x: Tensor, _ y: Tensor, batch: Int, _ parallel: DistributedDataParallel) throws -> (Double, Double, Int, Int) {
        let n = x.shape[0]
        optimizer.zeroGrad()
        parallel.group.gradientWeight = Double(n)
        var local = [0.0, Double(n), 0.0]
        // A rank may get nothing of a batch shorter than the number of ranks; it skips the passes,
        // unless layers exchange values in them: then every rank runs as many, on what it has.
        let synchronized = parallel.synchronizedLayers
        if n > 0 || synchronized {
            // Micro-steps skip the all-reduce (DDP's no_sync): this rank's gradients are complete after
            // the last one, and a non-finite loss is judged on the sums, by every rank alike.
            let (value, output) = try accumulateGradients(x, y, batch: batch, stopOnNonFinite: false, aligned: synchronized)
            local[0] = value * Double(n)
            if task == .classification, n > 0 { local[2] = Double(Metrics.correctCount(logits: output.detached(), targets: y)) }
        }
        // Stop requests travel with this step's sums: one entry for "asked", one signal per rank.
        var signals = [Double](repeating: 0, count: parallel.group.size)
        signals[parallel.group.rank] = Double(stopRequest?.signal ?? 0)
        local += [stopRequest?.isRequested ?? false ? 1 : 0] + signals
        let totals = try parallel.synchronizeGradients(samples: n, adding: local).figures
        parallel.agreedStop = (totals[3] > 0, totals[4...].first { $0 != 0 }.map { Int32($0) })
        let value = totals[0] / Swift.max(totals[1], 1)
        guard value.isFinite else { throw TrainingError.nonFiniteLoss(epoch: epoch + 1, step: batch + 1, value: value) }
        try checkDivergence(value, step: batch + 1)
        return (value, finishStep(), Int(totals[1]), Int(totals[2]))
    }

    /// Evaluates on `loader`, split across the ranks when distributed.
    func validate(on loader: DataLoader) throws -> Evaluation {
        guard let group = distributed?.group else {
            return evaluate(model, on: loader, loss: loss, task: task, classes: classes, topK: topK)
        }
        return try evaluate(model, on: loader, loss: loss, task: task, classes: classes, topK: topK, group: group)
    }
}

/// `evaluate` split across the ranks of `group`: each rank evaluates a contiguous share of the
/// loader's samples, and the loss, accuracy and top-k figures are summed over the ranks (the same
/// on every rank). The confusion matrix and regression scores stay those of this rank's share.
///
/// ```swift
/// let result = try evaluate(model, on: testLoader, loss: { crossEntropy($0, $1) }, task: .classification,
///                           classes: 10, group: group)
/// ```
public func evaluate(_ model: Module, on loader: DataLoader, loss: (Tensor, Tensor) -> Tensor, task: Task,
                     classes: Int = 0, topK: [Int] = [], group: ProcessGroup) throws -> Evaluation {
    let count = loader.dataset.count
    let share = DataShard(rank: group.rank, count: group.size).slice(of: 0..<count)
    let part = DataLoader(Subset(loader.dataset, indices: Array(share)), batchSize: loader.batchSize, transform: loader.transform)
    var result = evaluate(model, on: part, loss: loss, task: task, classes: classes, topK: topK)
    let ks = topK.sorted()
    let n = Double(result.samples)
    let local = [result.loss * n, n, Double(result.confusion?.correct ?? 0)] + ks.map { (result.topK[$0] ?? 0) * n }
    let totals = try group.sum(local)
    let samples = Swift.max(totals[1], 1)
    result.loss = totals[0] / samples
    result.samples = Int(totals[1])
    if task == .classification { result.accuracy = totals[2] / samples }
    for (i, k) in ks.enumerated() { result.topK[k] = totals[3 + i] / samples }
    return result
}
