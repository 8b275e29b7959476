// Softmax regression (a single linear layer) trained with one-hot targets on three Gaussian blobs.
//
//     swift run example-softmax-regression
import Nabla

Random.seed(1)
var generator = Generator(seed: 2)
let centers: [[Float]] = [[2, 0], [-1, 1.7], [-1, -1.7]]
var points: [Float] = [], labels: [Float] = []
for i in 0..<300 {
    let c = i % 3
    points += [centers[c][0] + Float(generator.nextNormal()) * 0.5, centers[c][1] + Float(generator.nextNormal()) * 0.5]
    labels.append(Float(c))
}
let x = Tensor(shape: [300, 2], scalars: points)
let y = oneHot(Tensor(labels), classes: 3)       // [300, 3] one-hot targets

let model = Linear(2, 3)
let optimizer = SGD(model.parameters, learningRate: 0.5)
let loader = DataLoader(TensorDataset(inputs: x, targets: y), batchSize: 32, shuffle: true, seed: 3)

for epoch in 1...30 {
    var total: Float = 0
    for (batch, target) in loader {
        optimizer.zeroGrad()
        let loss = crossEntropy(model(batch), target)   // probabilities as targets
        loss.backward()
        optimizer.step()
        total += loss.item * Float(batch.shape[0])
    }
    if epoch % 5 == 0 { print("epoch \(epoch): loss \(total / 300)") }
}
let predicted = withNoGrad { model(x) }.argmax(axis: 1).scalars
let accuracy = Float(zip(predicted, labels).filter { $0 == $1 }.count) / 300
print("training accuracy \(accuracy)")
if accuracy < 0.9 { fatalError("softmax regression did not fit the blobs") }
