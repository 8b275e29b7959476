// Linear regression by plain (full-batch) gradient descent: fit y = a·x + b to noisy points,
// print a and b as they converge, and stop when the loss changes by less than a threshold.
//
//     swift run example-linear-regression
import Nabla

let data = Synthetic.noisyLine(count: 200, slope: 3, intercept: -0.5, noise: 0.1, seed: 7)
let (x, y) = data.batch(Array(0..<data.count))

let a = Parameter(Tensor([0]))
let b = Parameter(Tensor([0]))
let learningRate: Float = 0.3
var previous = Float.infinity

for step in 1...10_000 {
    let prediction = x * a.value + b.value
    let loss = mseLoss(prediction, y)
    a.zeroGrad()
    b.zeroGrad()
    loss.backward()
    // θ ← θ − η·∂L/∂θ; the update is not part of the model, so no graph is recorded.
    withNoGrad {
        a.assign(a.value - a.grad! * learningRate)
        b.assign(b.value - b.grad! * learningRate)
    }
    if step == 1 || step % 10 == 0 {
        print("step \(step): a = \(a.value.item), b = \(b.value.item), loss = \(loss.item)")
    }
    if Swift.abs(previous - loss.item) < 1e-7 {
        print("converged after \(step) steps: a = \(a.value.item) (true 3), b = \(b.value.item) (true -0.5)")
        break
    }
    previous = loss.item
}
