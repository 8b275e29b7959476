import Testing
import Nabla

/// The README's code example, kept compiling and working.
@Suite struct ReadmeExampleTests {
    @Test func quickExampleTrains() {
        Random.seed(0)
        let model = Sequential {
            Linear(2, 32)
            Tanh()
            Linear(32, 2)
        }
        let data = Synthetic.twoSpirals(count: 512, noise: 0.05, seed: 1)
        let optimizer = Adam(model.parameters, learningRate: 0.01)
        var first: Float = 0, last: Float = 0
        for epoch in 0..<20 {
            for (x, y) in DataLoader(data, batchSize: 64, shuffle: true, seed: UInt64(epoch)) {
                optimizer.zeroGrad()
                let loss = crossEntropy(model(x), y)
                loss.backward()
                optimizer.step()
                if first == 0 { first = loss.item }
                last = loss.item
            }
        }
        #expect(last < first)
    }
}
