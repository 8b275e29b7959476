import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// A run whose loss blows up stops with a message instead of "succeeding" with huge or NaN weights.
@Suite struct DivergenceTests {
    private func trainer(learningRate: Double) -> Trainer {
        Random.seed(7)
        let model = Sequential { Linear(2, 32); ReLU(); Linear(32, 2) }
        let data = Synthetic.moons(count: 256, noise: 0.1, seed: 3)
        let trainer = Trainer(model: model, loss: { crossEntropy($0, $1) }, optimizer: Adam(model.parameters, learningRate: learningRate),
                              train: DataLoader(data, batchSize: 16, shuffle: true, seed: 5), task: .classification, classes: 2)
        trainer.stop = StopCriteria(maxEpochs: 20)
        return trainer
    }

    @Test func aHugeLearningRateStopsWithADivergenceError() {
        var caught: TrainingError?
        do { try trainer(learningRate: 1e6).fit() } catch let error as TrainingError { caught = error } catch {}
        guard case .diverged(_, _, let loss, let best)? = caught else {
            Issue.record("expected a divergence stop, got \(String(describing: caught))")
            return
        }
        #expect(loss > Hyperparameters.divergenceFactor.defaultValue * best)
        #expect(caught!.description.contains("learningRate"))
    }

    @Test func anOrdinaryRunDoesNotTripTheRule() throws {
        let history = try trainer(learningRate: 1e-2).fit()
        #expect(history.stopReason == "reached 20 epochs")
    }
}
