import Nabla

Random.seed(0)
let model = Sequential {
    Linear(2, 64)
    Tanh()
    Linear(64, 64)
    Tanh()
    Linear(64, 2)
}
let data = Synthetic.twoSpirals(count: 1000, noise: 0.05, seed: 1)
let optimizer = Adam(model.parameters, learningRate: 0.01)
for epoch in 0..<30 {
    for (x, y) in DataLoader(data, batchSize: 64, shuffle: true, seed: UInt64(epoch)) {
        optimizer.zeroGrad()
        let loss = crossEntropy(model(x), y)
        loss.backward()
        optimizer.step()
    }
}
let (x, y) = data.batch(0..<data.count)
let accuracy = Metrics.topKAccuracy(logits: withNoGrad { model(x) }, targets: y, k: 1)
print("accuracy on the spirals:", accuracy)
