import Foundation
import NablaLibrary
import NablaCore
import NablaBackend

/// The training-step benchmark workloads of the reference table: one full step is zero grad,
/// forward, cross-entropy, backward and an Adam(1e-3) update, on random inputs and labels.
public enum TrainingWorkloads {
    static func step(_ model: Module, _ optimizer: Optimizer, _ x: Tensor, _ y: Tensor) {
        optimizer.zeroGrad()
        crossEntropy(model(x), y).backward()
        optimizer.step()
    }

    static func labels(_ n: Int, classes: Int) -> Tensor {
        var g = Generator(seed: 99)
        return Tensor((0..<n).map { _ in Float(g.nextInt(below: classes)) })
    }

    /// Milliseconds per step of `model` on inputs of `shape` (batch first).
    public static func stepMilliseconds(_ model: Module, inputShape shape: [Int], repeats: Int) -> Double {
        var g = Generator(seed: 98)
        let x = Tensor.normal(shape, generator: &g)
        let y = labels(shape[0], classes: 10)
        let optimizer = Adam(model.parameters, learningRate: 1e-3)
        return Timing.median(repeats: repeats, warmup: 3) { step(model, optimizer, x, y) } * 1e3
    }

    /// Linear(784,256)-ReLU-Linear(256,128)-ReLU-Linear(128,10), batch 128.
    public static func mlpStepMilliseconds(repeats: Int = 50) -> Double {
        Random.seed(0)
        let model = Sequential { Linear(784, 256); ReLU(); Linear(256, 128); ReLU(); Linear(128, 10) }
        return stepMilliseconds(model, inputShape: [128, 784], repeats: repeats)
    }

    /// Conv(1,16,3,p1)-ReLU-MaxPool2-Conv(16,32,3,p1)-ReLU-MaxPool2-Flatten-Linear(1568,128)-ReLU-Linear(128,10), batch 64.
    public static func cnnStepMilliseconds(repeats: Int = 20) -> Double {
        Random.seed(0)
        let model = Sequential {
            Conv2d(1, 16, kernelSize: 3, padding: 1); ReLU(); MaxPool2d(2)
            Conv2d(16, 32, kernelSize: 3, padding: 1); ReLU(); MaxPool2d(2)
            Flatten(); Linear(1568, 128); ReLU(); Linear(128, 10)
        }
        return stepMilliseconds(model, inputShape: [64, 1, 28, 28], repeats: repeats)
    }

    /// LSTM(28→128, batch-first) over 28 steps, Linear(128→10) on the last output, batch 64.
    public static func lstmStepMilliseconds(repeats: Int = 20) -> Double {
        Random.seed(0)
        let model = SequenceClassifier(LSTM(inputSize: 28, hiddenSize: 128), head: Linear(128, 10))
        return stepMilliseconds(model, inputShape: [64, 28, 28], repeats: repeats)
    }

    /// Seconds to train the `mlp` preset for `epochs` on Fashion-MNIST exactly as `nabla train --data
    /// fashion-mnist --model mlp --epochs 5 --seed SEED` does, at the preset's recipe (`TrainingRecipe`:
    /// AdamW 2e-3, batch 64, a warm-up epoch, cosine to 1e-5, label smoothing 0.1, 5% held out and
    /// validated after every epoch), without writing a run folder; and its test accuracy. `nil` when the
    /// data is not installed. `torch_reference.py` runs the same recipe for its side.
    public static func fashionMLPFiveEpochs(directory: String? = nil, epochs: Int = 5, seed: UInt64 = 0) -> (seconds: Double, accuracy: Double)? {
        let config = fashionConfiguration(directory: directory, epochs: epochs, seed: seed)
        guard let run = try? TrainingRun(config), let test = run.data.test else { return nil }
        let start = Timing.now()
        guard (try? run.trainer.fit()) != nil else { return nil }
        let seconds = Timing.now() - start
        let result = evaluate(run.model, on: DataLoader(test, batchSize: 1000), loss: run.trainer.loss, task: .classification, classes: 10)
        return (seconds, result.accuracy ?? 0)
    }

    /// The run `fashionMLPFiveEpochs` trains: the `mlp` preset's recipe on Fashion-MNIST.
    public static func fashionConfiguration(directory: String? = nil, epochs: Int = 5, seed: UInt64 = 0) -> RunConfiguration {
        var config = RunConfiguration(model: "mlp")
        config.data = "fashion-mnist"
        config.dataDirectory = directory
        config.epochs = epochs
        config.seed = seed
        return config
    }
}
