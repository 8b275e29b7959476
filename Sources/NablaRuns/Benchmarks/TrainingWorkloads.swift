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

    /// The settings of `fashionMLPFiveEpochs`: PyTorch's usual defaults, which `torch_reference.py` runs
    /// too (Adam 1e-3, batch 128, no schedule, all 60,000 images), and which are Nabla's plain defaults,
    /// not the `mlp` preset's recipe: the workload times the same work in both, so it cannot follow a recipe.
    public static let fashionRecipe: TrainingRecipe = {
        var recipe = TrainingRecipe.standard
        recipe.validationSplit = 0
        return recipe
    }()

    /// Seconds to train the MLP for 5 epochs on Fashion-MNIST with `fashionRecipe` (inputs in [0, 1]),
    /// and its test accuracy; `nil` when the data is not installed.
    public static func fashionMLPFiveEpochs(directory: String? = nil, epochs: Int = 5) -> (seconds: Double, accuracy: Double)? {
        guard let data = try? DataSource.fashionMNIST.load(options: DataOptions(directory: directory)), let test = data.test else { return nil }
        Random.seed(0)
        let model = Sequential { Flatten(); Linear(784, 256); ReLU(); Linear(256, 128); ReLU(); Linear(128, 10) }
        let optimizer = Adam(model.parameters, learningRate: fashionRecipe.learningRate)
        let loader = DataLoader(data.train, batchSize: fashionRecipe.batchSize, shuffle: true, seed: 0)
        let start = Timing.now()
        for _ in 0..<epochs {
            for (x, y) in loader { step(model, optimizer, x, y) }
        }
        let seconds = Timing.now() - start
        let result = evaluate(model, on: DataLoader(test, batchSize: 1000), loss: { crossEntropy($0, $1) }, task: .classification, classes: 10)
        return (seconds, result.accuracy ?? 0)
    }
}
