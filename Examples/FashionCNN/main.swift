// A hand-written training loop for a CNN on Fashion-MNIST with dropout, BatchNorm and gradient
// clipping: zeroGrad, forward, loss, backward, step.
//
//     swift run -c release example-fashion-cnn [--samples N] [--test-samples N] [--epochs E] [--data-dir DIR]
import Foundation
import Nabla

let arguments = CommandLine.arguments
func option(_ name: String, _ fallback: String) -> String {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return fallback }
    return arguments[i + 1]
}
let samples = Int(option("--samples", "60000")) ?? 60000
let testSamples = Int(option("--test-samples", "10000")) ?? 10000
let epochs = Int(option("--epochs", "2")) ?? 2
let directory = arguments.contains("--data-dir") ? option("--data-dir", "") : nil

let data: LoadedData
do {
    data = try DataSource.fashionMNIST.load(options: DataOptions(directory: directory))
} catch {
    print(error)
    exit(1)
}
Random.seed(0)
let model = Sequential {
    Conv2d(1, 16, kernelSize: 3, padding: 1)
    BatchNorm2d(16)
    ReLU()
    MaxPool2d(2)
    Conv2d(16, 32, kernelSize: 3, padding: 1)
    BatchNorm2d(32)
    ReLU()
    MaxPool2d(2)
    Flatten()
    Dropout(0.25)
    Linear(32 * 7 * 7, 128)
    ReLU()
    Linear(128, 10)
}
let optimizer = Adam(model.parameters, learningRate: 1e-3)
let train = Subset(data.train, indices: Array(0..<min(samples, data.train.count)))
let loader = DataLoader(train, batchSize: 64, shuffle: true, seed: 1)

for epoch in 1...epochs {
    model.train()
    var total: Float = 0, seen = 0
    for (images, labels) in loader {
        optimizer.zeroGrad()
        let loss = crossEntropy(model(images), labels)
        loss.backward()
        let norm = clipGradNorm(model.parameters, maxNorm: 5)
        optimizer.step()
        total += loss.item * Float(images.shape[0])
        seen += images.shape[0]
        if seen % (64 * 100) == 0 { print("epoch \(epoch): \(seen) samples, loss \(total / Float(seen)), grad norm \(norm)") }
    }
    model.eval()
    let test = Subset(data.test!, indices: Array(0..<min(testSamples, data.test!.count)))
    var correct = 0
    for (images, labels) in DataLoader(test, batchSize: 500) {
        correct += withNoGrad { Metrics.correctCount(logits: model(images), targets: labels) }
    }
    print("epoch \(epoch): train loss \(total / Float(seen)), test accuracy \(Double(correct) / Double(test.count))")
}
