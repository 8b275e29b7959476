import Foundation
import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// The training loop's per-step schedules, gradient accumulation and evaluation periods, with resume.
@Suite struct TrainingLoopTests {
    /// An MLP without dropout or BatchNorm on 50 moons samples: 5 batches of 10 per epoch.
    static func makeTrainer(seed: UInt64 = 1, learningRate: Double = 0.1, batchSize: Int = 10, epochs: Int = 4) -> Trainer {
        Random.seed(seed)
        let model = Sequential { Linear(2, 8); Tanh(); Linear(8, 3); Tanh(); Linear(3, 2) }
        let data = Synthetic.moons(count: 50, noise: 0.1, seed: 3)
        let trainer = Trainer(model: model, loss: { crossEntropy($0, $1) },
                              optimizer: SGD(model.parameters, learningRate: learningRate, momentum: 0.9),
                              train: DataLoader(data, batchSize: batchSize, shuffle: true, seed: 5), task: .classification, classes: 2)
        trainer.stop = StopCriteria(maxEpochs: epochs)
        return trainer
    }

    static func parameters(_ trainer: Trainer) -> [Float] { trainer.model.parameters.flatMap(\.value.scalars) }

    static func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).map { Swift.abs($0 - $1) }.max() ?? .infinity
    }

    // MARK: Gradient accumulation

    /// Two or three micro-batches give the full batch's step: batches of 11 with a short last batch
    /// of 6 (50 samples), so the per-sample weighting matters.
    @Test(arguments: [2, 3])
    func accumulationEqualsTheFullBatch(_ steps: Int) throws {
        let whole = Self.makeTrainer(batchSize: 11, epochs: 3)
        let split = Self.makeTrainer(batchSize: 11, epochs: 3)
        split.accumulationSteps = steps
        try whole.fit()
        try split.fit()
        #expect(whole.globalStep == split.globalStep && whole.globalStep == 15)
        let difference = Self.maxDifference(Self.parameters(whole), Self.parameters(split))
        #expect(difference <= 1e-6, "\(steps) micro-batches: parameters differ by \(difference)")
        for (a, b) in zip(whole.history.epochs, split.history.epochs) { #expect(Swift.abs(a.trainLoss - b.trainLoss) <= 1e-6) }
    }

    @Test func microBatchesCoverTheBatchInOrder() {
        let trainer = Self.makeTrainer()
        trainer.accumulationSteps = 3
        #expect(trainer.microBatches(count: 10) == [0..<3, 3..<6, 6..<10])
        #expect(trainer.microBatches(count: 2) == [0..<1, 1..<2])   // never an empty micro-batch
    }

    // MARK: Evaluation periods

    /// Periods of 3 steps run across the data's epochs of 5 batches: the same batches, in the same
    /// order, as epochs with a step budget, so the parameters are bit-identical.
    @Test func periodsFollowTheSameBatchesAsEpochs() throws {
        let periods = Self.makeTrainer(epochs: 4)
        periods.evaluationInterval = 3
        try periods.fit()
        let epochs = Self.makeTrainer(epochs: 3)
        epochs.stop.maxSteps = 12
        try epochs.fit()
        #expect(periods.globalStep == 12 && periods.history.epochs.count == 4)
        #expect(periods.history.epochs.map(\.epoch) == [1, 2, 3, 4])
        #expect(Self.parameters(periods) == Self.parameters(epochs))
        #expect(periods.history.stopReason == "reached 4 epochs")
    }

    /// Resuming after 2 periods (6 steps, in the middle of a data epoch) continues bit-identically.
    @Test func periodsResumeExactly() throws {
        let straight = Self.makeTrainer(epochs: 4)
        straight.evaluationInterval = 3
        try straight.fit()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nabla-periods-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = Self.makeTrainer(epochs: 2)
        first.evaluationInterval = 3
        try first.fit()
        try first.saveCheckpoint(to: directory)
        let second = Self.makeTrainer(seed: 9, epochs: 4)
        second.evaluationInterval = 3
        try second.resume(from: directory)
        try second.fit()
        #expect(Self.parameters(second) == Self.parameters(straight))
        #expect(second.history.epochs.map(\.trainLoss) == straight.history.epochs.map(\.trainLoss))
    }

    /// A stop in the middle of a period (after 7 steps: 1 into the third period of 3), with accumulation and a
    /// per-step schedule, resumes bit-identically.
    @Test func aStopMidPeriodResumesExactly() throws {
        func configure(_ trainer: Trainer) {
            trainer.evaluationInterval = 3
            trainer.accumulationSteps = 2
            Self.cosine(trainer)
        }
        let straight = Self.makeTrainer(epochs: 5)
        configure(straight)
        try straight.fit()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nabla-midperiod-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = Self.makeTrainer(epochs: 5)
        configure(first)
        let stop = StopRequest()
        (first.checkpointDirectory, first.stopRequest, first.callbacks) = (directory, stop, [TrainerTests.StopAfter(step: 7, stop)])
        #expect(throws: TrainingError.interrupted(signal: nil, epoch: 3, step: 1, checkpoint: directory.path)) { try first.fit() }
        let second = Self.makeTrainer(seed: 9, epochs: 5)
        configure(second)
        try second.resume(from: directory)
        #expect(second.epoch == 2 && second.globalStep == 7)
        try second.fit()
        #expect(Self.parameters(second) == Self.parameters(straight))
        #expect(second.history.epochs.map(\.trainLoss) == straight.history.epochs.map(\.trainLoss))
        #expect(second.history.epochs.map(\.learningRate) == straight.history.epochs.map(\.learningRate))
    }

    // MARK: Per-step schedules

    static func cosine(_ trainer: Trainer) {
        trainer.schedule = StepSchedule(decay: .cosine(minLearningRate: 0.001), warmupSteps: 3, totalSteps: 20)
    }

    /// The rate changes every step, and each epoch records the rate of its last step.
    @Test func theScheduleSetsTheRateOfEveryStep() throws {
        let trainer = Self.makeTrainer(epochs: 4)
        Self.cosine(trainer)
        try trainer.fit()
        let schedule = try #require(trainer.schedule)
        #expect(trainer.history.epochs.map(\.learningRate) == [4, 9, 14, 19].map { schedule.learningRate(base: 0.1, step: $0) })
        #expect(trainer.history.epochs.last!.learningRate == 0.001)
        #expect(trainer.optimizer.groups[0].baseLearningRate == 0.1)
    }

    /// A resumed run continues the schedule exactly; given a new base rate, it follows the curve
    /// scaled to the new base.
    @Test func resumeContinuesTheScheduleAndANewBaseScalesIt() throws {
        let straight = Self.makeTrainer(epochs: 4)
        Self.cosine(straight)
        try straight.fit()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nabla-schedule-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = Self.makeTrainer(epochs: 2)
        Self.cosine(first)
        try first.fit()
        try first.saveCheckpoint(to: directory)

        let same = Self.makeTrainer(seed: 9, epochs: 4)
        Self.cosine(same)
        try same.resume(from: directory)
        try same.fit()
        #expect(Self.parameters(same) == Self.parameters(straight))

        let faster = Self.makeTrainer(seed: 9, learningRate: 0.2, epochs: 4)
        Self.cosine(faster)
        try faster.resume(from: directory)
        #expect(faster.optimizer.learningRate == 2 * first.optimizer.learningRate)
        try faster.fit()
        let want = [14, 19].map { straight.schedule!.learningRate(base: 0.2, step: $0) }
        #expect(faster.history.epochs[2...].map(\.learningRate) == want)
    }

    /// Without a schedule, a new base rate on resume scales the saved rate (here one a plateau cut).
    @Test func aNewBaseScalesAPlateauCutRate() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nabla-plateau-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = Self.makeTrainer(epochs: 3)
        first.plateau = ReduceLROnPlateau(first.optimizer, mode: .max, factor: 0.5, patience: 0)   // a falling loss never "improves"
        try first.fit()
        #expect(first.optimizer.learningRate < 0.1)
        try first.saveCheckpoint(to: directory)
        let second = Self.makeTrainer(learningRate: 0.3, epochs: 4)
        second.plateau = ReduceLROnPlateau(second.optimizer, mode: .max, factor: 0.5, patience: 0)
        try second.resume(from: directory)
        #expect(Swift.abs(second.optimizer.learningRate - 3 * first.optimizer.learningRate) < 1e-15)
    }
}
