import Foundation
import NablaCore
import NablaBackend

/// The part of a checkpoint that is not tensors: `trainer.json`.
package struct TrainerState: Codable {
    var epoch: Int
    var globalStep: Int
    var history: TrainingHistory
    var earlyStopping: EarlyStoppingState
    var generator: [UInt64]
    var scheduler: [String: Double]?
    var plateau: [String: Double]?
    /// The learning rate to continue with, exactly: the one record of it that `resume` reads.
    var learningRate: Double
    /// Every parameter group's rate, exactly (absent in checkpoints written before groups).
    var learningRates: [Double]? = nil
    /// Every group's base rate, the one a schedule scales (absent before groups).
    var baseLearningRates: [Double]? = nil
    /// The epoch that was under way when training was interrupted, or `nil` between epochs.
    var progress: EpochProgress?
}

/// How far the current epoch has gone: what its record needs to come out as if uninterrupted.
package struct EpochProgress: Codable, Equatable {
    /// Batches done.
    var batch = 0
    var lossSum = 0.0
    var samples = 0
    var correct = 0
    /// Seconds spent on the epoch so far.
    var seconds = 0.0
    /// The gradient-flow sums of the epoch's steps, one per layer.
    var gradientSums: [Double] = []
}

extension TrainerState {
    /// The largest magnitude a scheduler counter or rate may have (beyond it `Int` conversions trap).
    static let maxSchedulerValue = 1e15

    /// Checks every field against what `trainer` could have written; `path` names the file in errors.
    func validate(for trainer: Trainer, path: String) throws {
        let counter = CheckpointBounds.counter
        try counter.check("epoch", epoch, in: path)
        try counter.check("globalStep", globalStep, in: path)
        try counter.check("history.steps", history.steps, in: path)
        try counter.check("earlyStopping.bestEpoch", earlyStopping.bestEpoch, in: path)
        try counter.check("earlyStopping.badEpochs", earlyStopping.badEpochs, in: path)
        guard history.epochs.count <= epoch else {
            throw CheckpointError(path: path, problem: "history: \(history.epochs.count) epochs recorded but epoch is \(epoch)"
                                  + CheckpointError.damagedHint)
        }
        guard learningRate.isFinite, learningRate >= 0 else {
            throw CheckpointError(path: path, problem: "learningRate \(learningRate): must be finite and zero or positive" + CheckpointError.damagedHint)
        }
        try validateGroupRates(for: trainer, path: path)
        for (name, dict) in [("scheduler", scheduler), ("plateau", plateau)] {
            for (key, value) in (dict ?? [:]).sorted(by: { $0.key < $1.key }) where value.isFinite && Swift.abs(value) > Self.maxSchedulerValue {
                throw CheckpointError(path: path, problem: "\(name).\(key) \(value): must be at most 1e15 in magnitude" + CheckpointError.damagedHint)
            }
        }
        if let progress { try progress.validate(for: trainer, path: path) }
    }
}

extension EpochProgress {
    func validate(for trainer: Trainer, path: String) throws {
        func refuse(_ problem: String) -> CheckpointError { CheckpointError(path: path, problem: "progress." + problem + CheckpointError.damagedHint) }
        let batches = trainer.stepsPerPeriod
        guard (1..<Swift.max(batches, 1)).contains(batch) else {
            throw refuse("batch \(batch): must be in [1, \(batches - 1)], as an epoch (or period) has \(batches) steps")
        }
        guard (0...trainer.train.dataset.count).contains(samples), (0...samples).contains(correct) else {
            throw refuse("samples \(samples), correct \(correct): must satisfy 0 ≤ correct ≤ samples ≤ \(trainer.train.dataset.count)")
        }
        guard lossSum.isFinite, seconds.isFinite, seconds >= 0 else { throw refuse("lossSum \(lossSum), seconds \(seconds): must be finite") }
        let layers = trainer.flow.layers.count
        guard gradientSums.count == layers, gradientSums.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw refuse("gradientSums: expected \(layers) finite, non-negative sums, one per layer")
        }
    }
}

extension TrainerState {
    /// Each group's rates must be finite, non-negative, and one per group of the trainer's optimizer.
    func validateGroupRates(for trainer: Trainer, path: String) throws {
        for (name, rates) in [("learningRates", learningRates), ("baseLearningRates", baseLearningRates)] {
            guard let rates else { continue }
            guard rates.count == trainer.optimizer.groups.count, rates.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
                throw CheckpointError(path: path, problem: "\(name): expected \(trainer.optimizer.groups.count) finite, non-negative rates, "
                                      + "one per parameter group" + CheckpointError.damagedHint)
            }
        }
    }

    /// The rate each of `groups` continues with: the saved rate, scaled by how the group's base rate
    /// now differs from the saved base (a resumed run given a new rate), so that a schedule or a
    /// plateau reduction already applied carries over to the new base.
    func resumedRates(for groups: [OptimizerGroup]) -> [Double] {
        groups.indices.map { g in
            let saved = learningRates?[g] ?? learningRate
            guard let oldBase = baseLearningRates?[g], oldBase != groups[g].baseLearningRate else { return saved }
            return oldBase > 0 ? saved * (groups[g].baseLearningRate / oldBase) : groups[g].baseLearningRate
        }
    }
}
