import Foundation
import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

@Suite struct TrainerTests {
    static func temporaryDirectory() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nabla-trainer-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A small classifier with dropout and BatchNorm, so resuming must restore random state and buffers.
    static func makeTrainer(seed: UInt64, epochs: Int) -> Trainer {
        Random.seed(seed)
        let model = Sequential { Linear(2, 16); BatchNorm1d(16); Tanh(); Dropout(0.2); Linear(16, 2) }
        let data = Synthetic.moons(count: 200, noise: 0.1, seed: 3)
        let (train, validation) = trainValidationSplit(data, validationFraction: 0.25, seed: 4)
        let trainer = Trainer(model: model, loss: { crossEntropy($0, $1) }, optimizer: Adam(model.parameters, learningRate: 0.01),
                              train: DataLoader(train, batchSize: 16, shuffle: true, seed: 5),
                              validation: DataLoader(validation, batchSize: 64), task: .classification, classes: 2)
        trainer.scheduler = StepLR(trainer.optimizer, stepSize: 2, gamma: 0.5)
        trainer.stop = StopCriteria(maxEpochs: epochs)
        return trainer
    }

    @Test func trainsAndRecordsHistory() throws {
        let trainer = Self.makeTrainer(seed: 1, epochs: 6)
        let history = try trainer.fit()
        #expect(history.epochs.count == 6)
        #expect(history.epochs.last!.trainLoss < history.epochs.first!.trainLoss)
        #expect(history.epochs.last!.validationAccuracy! > 0.8)
        #expect(history.epochs.map(\.learningRate) == [0.01, 0.01, 0.005, 0.005, 0.0025, 0.0025])
        #expect(Set(history.epochs[0].gradientNorms.keys) == ["0", "1", "4"])
        #expect(history.stopReason == "reached 6 epochs")
    }

    @Test func resumingGivesBitIdenticalParameters() throws {
        let straight = Self.makeTrainer(seed: 7, epochs: 4)
        try straight.fit()

        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = Self.makeTrainer(seed: 7, epochs: 2)
        try first.fit()
        try first.saveCheckpoint(to: directory)
        Random.seed(999)   // the resumed run must not depend on the process's random state

        let second = Self.makeTrainer(seed: 123, epochs: 4)   // different initial weights, overwritten by resume
        try second.resume(from: directory)
        #expect(second.epoch == 2)
        try second.fit()
        let a = straight.model.namedState(), b = second.model.namedState()
        #expect(a.map(\.0) == b.map(\.0))
        for ((name, x), (_, y)) in zip(a, b) { #expect(x.scalars == y.scalars, "\(name) differs after resume") }
        #expect(straight.history.epochs.map(\.trainLoss) == second.history.epochs.map(\.trainLoss))
    }

    /// Requests a stop at the end of global step `step`.
    final class StopAfter: TrainingCallback {
        let step: Int, request: StopRequest
        init(step: Int, _ request: StopRequest) {
            self.step = step
            self.request = request
        }
        func stepDidEnd(_ info: StepInfo) { if info.globalStep == step { request.request() } }
    }

    @Test func stopMidEpochResumesBitIdentically() throws {
        let straight = Self.makeTrainer(seed: 7, epochs: 3)
        try straight.fit()

        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = Self.makeTrainer(seed: 7, epochs: 3)
        let stop = StopRequest()
        (first.checkpointDirectory, first.stopRequest, first.callbacks) = (directory, stop, [StopAfter(step: 13, stop)])
        #expect(first.train.batchesPerEpoch == 10)
        #expect(throws: TrainingError.interrupted(signal: nil, epoch: 2, step: 3, checkpoint: directory.path)) { try first.fit() }
        Random.seed(999)

        let second = Self.makeTrainer(seed: 123, epochs: 3)
        try second.resume(from: directory)
        #expect(second.epoch == 1 && second.globalStep == 13)
        try second.fit()
        for ((name, x), (_, y)) in zip(straight.model.namedState(), second.model.namedState()) {
            #expect(x.scalars == y.scalars, "\(name) differs after a stop mid-epoch")
        }
        #expect(straight.history.epochs.map(\.trainLoss) == second.history.epochs.map(\.trainLoss))
        #expect(straight.history.epochs.map(\.gradientNorms) == second.history.epochs.map(\.gradientNorms))
    }

    @Test func nonFiniteLossStopsAndNamesEpochAndStep() {
        Random.seed(2)
        let model = Sequential { Linear(1, 1) }
        let x = Tensor(shape: [4, 1], scalars: [1, 2, 3, 4]), y = Tensor(shape: [4, 1], scalars: [1, 2, 3, 4])
        let trainer = Trainer(model: model, loss: { mseLoss($0, $1) }, optimizer: SGD(model.parameters, learningRate: 1e6),
                              train: DataLoader(TensorDataset(inputs: x, targets: y), batchSize: 2), task: .regression)
        trainer.stop = StopCriteria(maxEpochs: 50)
        #expect {
            try trainer.fit()
        } throws: { error in
            guard case .nonFiniteLoss(let epoch, let step, _) = error as? TrainingError else { return false }
            let text = "\(error)"
            return epoch >= 1 && step >= 1 && text.contains("at epoch \(epoch), step \(step)")
                && text.hasSuffix("lower the learning rate (learningRate) or clip gradients (clipNorm)")
        }
    }

    @Test func lossChangeAndGradientNormStopTraining() throws {
        Random.seed(3)
        let data = Synthetic.noisyLine(count: 64, slope: 2, intercept: -1, noise: 0, seed: 1)
        let model = Linear(1, 1)
        let trainer = Trainer(model: model, loss: { mseLoss($0, $1) }, optimizer: SGD(model.parameters, learningRate: 0.5),
                              train: DataLoader(data, batchSize: .all), task: .regression)
        trainer.stop = StopCriteria(maxEpochs: 10_000, minLossChange: 1e-10)
        let history = try trainer.fit()
        #expect(history.epochs.count < 10_000)
        #expect(history.stopReason.contains("training loss changed by"))
        #expect(Swift.abs(model.weight.value.item - 2) < 1e-3 && Swift.abs(model.bias!.value.item + 1) < 1e-3)

        let again = Trainer(model: Linear(1, 1), loss: { mseLoss($0, $1) }, optimizer: SGD(Linear(1, 1).parameters, learningRate: 0.1),
                            train: DataLoader(data, batchSize: .all), task: .regression)
        again.stop = StopCriteria(maxEpochs: 5, maxSteps: 3)
        #expect(try again.fit().stopReason == "reached 3 steps")
        let flat = Trainer(model: model, loss: { mseLoss($0, $1) }, optimizer: SGD(model.parameters, learningRate: 0.5),
                           train: DataLoader(data, batchSize: .all), task: .regression)
        flat.stop = StopCriteria(maxEpochs: 10_000, minGradientNorm: 1e-2)
        #expect(try flat.fit().stopReason.contains("gradient norm"))
    }

    @Test func earlyStoppingRestoresTheBestWeights() throws {
        let trainer = Self.makeTrainer(seed: 4, epochs: 200)
        trainer.stop.earlyStopping = EarlyStopping(monitor: .validationLoss, patience: 2)
        let history = try trainer.fit()
        #expect(history.stopReason.hasPrefix("early stopping"))
        let best = history.epochs.min { $0.validationLoss! < $1.validationLoss! }!
        #expect(history.epochs.count == best.epoch + 3)
        let now = evaluate(trainer.model, on: trainer.validation!, loss: trainer.loss, task: .classification, classes: 2)
        #expect(Swift.abs(now.loss - best.validationLoss!) < 1e-5)
    }

    @Test func vanishingGradientIsReportedByLayer() throws {
        Random.seed(6)
        let model = Sequential { Linear(2, 4); Sigmoid(); Linear(4, 2) }
        model.initializeWeights(.constant(0))
        // A first layer whose output is ignored by a zero second layer gets exactly zero gradient.
        let data = Synthetic.xor(count: 32, noise: 0.1, seed: 1)
        let trainer = Trainer(model: model, loss: { crossEntropy($0, $1) }, optimizer: SGD(model.parameters, learningRate: 0),
                              train: DataLoader(data, batchSize: 8), task: .classification, classes: 2)
        trainer.stop = StopCriteria(maxEpochs: 1)
        let history = try trainer.fit()
        #expect(history.warnings.contains { $0.contains("layer 0 has a vanishing gradient") })
        #expect(!history.warnings.contains { $0.contains("layer 2 has a vanishing") })
    }

    @Test func checkpointErrorsAreClear() {
        let trainer = Self.makeTrainer(seed: 1, epochs: 1)
        let empty = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: empty) }
        #expect { try trainer.resume(from: empty) } throws: {
            "\($0)" == "\(empty.path): no checkpoint here (expected checkpoint/manifest.json); write one with saveCheckpoint(to:) first"
        }
    }

    @Test func resumeTakesTheLearningRateFromTheTrainerStateAlone() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = Self.makeTrainer(seed: 7, epochs: 3)
        try first.fit()
        try first.saveCheckpoint(to: directory)
        // The optimizer file's Float32 copy of the rate, even a wrong one, is not what resume reads.
        let url = RunFolder.checkpointFile(directory, Checkpoint.optimizerFile)
        var saved = try Safetensors.read(contentsOf: url).tensors
        saved[Optimizer.learningRateKey] = Tensor(Float(0.25))
        try RunFolder.replace(Checkpoint.optimizerFile, in: directory, with: Safetensors.encode(saved), reseal: true)

        let second = Self.makeTrainer(seed: 7, epochs: 4)
        try second.resume(from: directory)
        #expect(second.optimizer.learningRate == first.optimizer.learningRate)
        #expect(second.scheduler?.lastLR == first.optimizer.learningRate)
    }

    @Test func checkpointThatDoesNotFitNamesTheParameter() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let trainer = Self.makeTrainer(seed: 1, epochs: 1)
        try trainer.fit()
        try trainer.saveCheckpoint(to: directory)
        let other = Sequential { Linear(2, 8); BatchNorm1d(8); Tanh(); Dropout(0.2); Linear(8, 2) }
        #expect(throws: StateDictError.shapeMismatch(name: "0.bias", expected: [8], got: [16])) {
            try Checkpoint.loadWeights(into: other, from: directory)
        }
    }
}
