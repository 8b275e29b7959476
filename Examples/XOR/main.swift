// XOR with a two-layer sigmoid network trained by backpropagation and stochastic gradient descent.
//
//     swift run example-xor
import Nabla

Random.seed(0)
let inputs = Tensor([[0, 0], [0, 1], [1, 0], [1, 1]])
let targets = Tensor([[0], [1], [1], [0]])

let model = Sequential {
    Linear(2, 4)
    Sigmoid()
    Linear(4, 1)
    Sigmoid()
}
let optimizer = SGD(model.parameters, learningRate: 2, momentum: 0.9)

for epoch in 1...2000 {
    optimizer.zeroGrad()
    let loss = binaryCrossEntropy(model(inputs), targets)
    loss.backward()
    optimizer.step()
    if epoch % 200 == 0 { print("epoch \(epoch): loss \(loss.item)") }
}

let output = withNoGrad { model(inputs) }.scalars
for (i, row) in [[0, 0], [0, 1], [1, 0], [1, 1]].enumerated() {
    print("\(row[0]) xor \(row[1]) → \(output[i]) (target \(targets.scalars[i]))")
}
let correct = zip(output, targets.scalars).allSatisfy { ($0 > 0.5 ? 1 : 0) == $1 }
print(correct ? "all four cases learned" : "not learned yet")
if !correct { fatalError("XOR was not learned") }
