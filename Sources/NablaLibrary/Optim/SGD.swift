import NablaCore
import NablaBackend

/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and (L2) weight
/// decay, as `torch.optim.SGD`:
///
///     g ← grad + weightDecay·p
///     b ← g on the first step, else momentum·b + (1 − dampening)·g
///     g ← g + momentum·b (nesterov) or b
///     p ← p − lr·g
///
/// State: `momentum_buffer` per parameter when `momentum ≠ 0` (no step count, as in PyTorch).
///
/// ```swift
/// let optimizer = SGD(model.parameters, learningRate: 0.1, momentum: 0.9, nesterov: true)
/// optimizer.zeroGrad(); loss.backward(); optimizer.step()
/// ```
public final class SGD: Optimizer, @unchecked Sendable {
    public let momentum: Double
    public let dampening: Double
    public let weightDecay: Double
    public let nesterov: Bool

    /// Creates SGD (PyTorch's default `lr = 1e-3`); Nesterov momentum needs `momentum > 0` and `dampening == 0`, as in PyTorch.
    public init(_ parameters: [Parameter], learningRate: Double = 1e-3, momentum: Double = 0, dampening: Double = 0,
                weightDecay: Double = 0, nesterov: Bool = false) {
        precondition(momentum >= 0, "SGD: invalid momentum \(momentum)")
        precondition(weightDecay >= 0, "SGD: invalid weight decay \(weightDecay)")
        precondition(!nesterov || (momentum > 0 && dampening == 0), "SGD: Nesterov momentum requires a momentum and zero dampening")
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        super.init(parameters, learningRate: learningRate)
    }

    override public var stateBufferNames: [String] { momentum != 0 ? ["momentum_buffer"] : [] }
    override public var tracksStep: Bool { false }

    override public func update(_ parameter: Parameter, grad: Tensor, state: ParameterState) {
        withUpdateBuffers(parameter, grad) { p, g, n in
            // PyTorch seeds the momentum buffer with the (decayed) gradient itself on the first step.
            let (buffer, created): (UnsafeMutablePointer<Float>?, Bool) =
                momentum != 0 ? state.buffer("momentum_buffer", copying: g, count: n) : (nil, false)
            let step = SGDStep(negativeLearningRate: Float(-learningRate), weightDecay: weightDecay != 0 ? Float(weightDecay) : nil,
                               momentum: Float(momentum), keep: Float(1 - dampening), nesterov: nesterov, firstStep: created)
            Backends.current.sgdStep(p, g, momentumBuffer: buffer, count: n, step)
        }
    }
}
