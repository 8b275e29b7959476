import Foundation
import NablaLibrary
import NablaCore
import NablaBackend

extension TrainingRun {
    /// Spreads this run over the ranks of `group` (data parallelism, see `Trainer.distribute(over:)`).
    ///
    /// Every rank must have been given the same settings and built the same model: a hash of both
    /// is compared across the ranks here, and every rank throws `DistributedError.configurationMismatch`
    /// naming the ranks that differ from rank 0. Only rank 0 then writes the run folder; `fit` on
    /// the other ranks trains without writing anything and returns their view of the result.
    ///
    /// ```swift
    /// let run = try TrainingRun(config)
    /// if let group = try ProcessGroup.fromLauncher() { try run.distribute(over: group) }
    /// let result = try run.fit(outputDirectory: folder)
    /// ```
    public func distribute(over group: ProcessGroup) throws {
        let hashes = try group.allGather(try configurationHash())
        let differing = hashes.indices.filter { hashes[$0] != hashes[0] }
        guard differing.isEmpty else { throw DistributedError.configurationMismatch(ranks: differing, size: group.size) }
        try checkBatchStatistics(over: group)
        self.group = group
    }

    /// Batch normalisation on each process's own shard (not synchronised) needs 2 samples in every
    /// process's part of every micro-batch: a batch that is too small is a configuration error, and a
    /// last batch too short for it is dropped.
    func checkBatchStatistics(over group: ProcessGroup) throws {
        guard hasBatchNorm, !(config.syncBatchNorm ?? false), group.size > 1 else { return }
        let needed = 2 * microSteps * group.size
        let batch = trainer.train.batchSize
        if batch < needed {
            throw ConfigurationError("""
                \(setting: .batchSize) \(batch) over \(group.size) processes\(microSteps > 1 ? " and \(microSteps) micro-steps" : "") gives \
                some process fewer than 2 samples, and batch normalisation needs 2; raise \(setting: .batchSize) to \(needed), \
                or synchronise batch normalisation (\(setting: .syncBatchNorm))
                """)
        }
        let stepsPerEpoch = trainer.train.batchesPerEpoch
        trainer.train.minLastBatch = needed
        // One batch fewer per epoch: the schedule spans the steps the run now takes.
        if trainer.train.batchesPerEpoch != stepsPerEpoch { try configure(trainer, trainer.optimizer) }
    }

    /// The SHA-256 of the settings, the data's shape and the model's parameter names and shapes.
    func configurationHash() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var hash = SHA256()
        hash.update(try encoder.encode(config))
        hash.update(Array("\(data.inputShape) \(data.outputs) \(trainer.train.dataset.count)".utf8))
        for (name, parameter) in model.namedParameters() { hash.update(Array("\(name) \(parameter.shape)\n".utf8)) }
        return Array(hash.hexDigest().utf8)
    }

    /// Runs `body` on rank 0 alone (or in a single process); every rank throws if it fails there.
    func onMainRank(_ step: String, _ body: () throws -> Void) throws {
        guard let group else { return try body() }
        var failure: Error?
        if group.isMain {
            do { try body() } catch { failure = error }
        }
        let failed = try group.broadcast([failure == nil ? 0 : 1], from: 0)[0] != 0
        if let failure { throw failure }
        if failed { throw DistributedError.peerFailed(rank: 0, step: step) }
    }

    /// `fit` on a rank other than 0: the same training, writing nothing. A resumed run reads the
    /// checkpoint in `directory`, which every rank must see (a shared file system on a cluster).
    func fitOnWorker(_ directory: URL, resume: Bool, group: ProcessGroup) throws -> RunResult {
        if resume { try trainer.resume(from: directory) }
        try trainer.distribute(over: group, synchronizeBatchNorm: config.syncBatchNorm ?? false)
        trainer.checkpointDirectory = nil
        let stepsBefore = trainer.globalStep
        let start = Timing.now()
        let history = try trainer.fit()
        let seconds = Timing.now() - start
        let samples = Double((trainer.globalStep - stepsBefore) * trainer.train.batchSize)
        let last = history.epochs.last
        return RunResult(trainLoss: last?.trainLoss ?? .nan, trainAccuracy: last?.trainAccuracy,
                         validationLoss: last?.validationLoss, validationAccuracy: last?.validationAccuracy,
                         testLoss: nil, testAccuracy: nil, epochs: history.epochs.count,
                         seconds: seconds, samplesPerSecond: seconds > 0 ? samples / seconds : 0, stopReason: history.stopReason)
    }
}
