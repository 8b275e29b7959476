import Foundation
import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary

/// Makes one parameter NaN after the last step of an epoch, where the loss has already been checked.
private final class PoisonLastStep: TrainingCallback {
    let parameter: Parameter
    init(_ parameter: Parameter) { self.parameter = parameter }
    func stepDidEnd(_ step: StepInfo) {
        guard step.batch == step.batches - 1 else { return }
        parameter.update { $0[1] = .nan }
    }
}

@Suite struct FiniteWeightsTests {
    @Test func nonFiniteWeightStopsTheRunAndNoCheckpointIsWritten() throws {
        let directory = TrainerTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let trainer = TrainerTests.makeTrainer(seed: 2, epochs: 3)
        trainer.checkpointDirectory = directory
        let (name, parameter) = trainer.model.namedParameters().last!
        trainer.callbacks = [PoisonLastStep(parameter)]
        var caught: TrainingError?
        do { try trainer.fit() } catch let error as TrainingError { caught = error }
        guard case .nonFiniteWeights(let parameterName, let value, let epoch, let step)? = caught else {
            Issue.record("expected nonFiniteWeights, got \(String(describing: caught))")
            return
        }
        #expect(parameterName == name && value.isNaN && epoch == 1 && step == trainer.globalStep)
        #expect(name == "4.bias")
        #expect(!CheckpointFolder(directory).exists)
        #expect(caught?.message.description.hasPrefix("training stopped: the model's 4.bias became nan at epoch 1") == true)
    }

    @Test func aGoodCheckpointStaysWhenALaterOneWouldHoldInfinity() throws {
        let directory = TrainerTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let trainer = TrainerTests.makeTrainer(seed: 2, epochs: 1)
        try trainer.fit()
        try trainer.saveCheckpoint(to: directory)
        let saved = try CheckpointFolder(directory).read().data(Checkpoint.modelFile)
        trainer.model.namedParameters()[0].1.update { $0[0] = -.infinity }
        #expect(throws: TrainingError.nonFiniteWeights(parameter: "0.weight", value: -.infinity, epoch: 1, step: trainer.globalStep)) {
            try trainer.saveCheckpoint(to: directory)
        }
        #expect(try CheckpointFolder(directory).read().data(Checkpoint.modelFile) == saved)
    }
}
