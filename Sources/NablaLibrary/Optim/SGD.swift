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

    /// Creates SGD with the defaults in `Hyperparameters` (PyTorch's, `lr = 1e-3`); Nesterov momentum
    /// needs `momentum > 0` and `dampening == 0`, as in PyTorch.
    public convenience init(_ parameters: [Parameter], learningRate: Double = Hyperparameters.learningRate.defaultValue(for: .sgd),
                            momentum: Double = Hyperparameters.momentum.defaultValue(for: .sgd),
                            dampening: Double = Hyperparameters.dampening.defaultValue,
                            weightDecay: Double = Hyperparameters.weightDecay.defaultValue(for: .sgd), nesterov: Bool = false) {
        self.init([ParameterGroup(parameters)], learningRate: learningRate, momentum: momentum, dampening: dampening,
                  weightDecay: weightDecay, nesterov: nesterov)
    }

    /// Creates SGD over parameter groups; a group's unset rate or weight decay takes the one given here.
    public init(_ groups: [ParameterGroup], learningRate: Double = Hyperparameters.learningRate.defaultValue(for: .sgd),
                momentum: Double = Hyperparameters.momentum.defaultValue(for: .sgd),
                dampening: Double = Hyperparameters.dampening.defaultValue,
                weightDecay: Double = Hyperparameters.weightDecay.defaultValue(for: .sgd), nesterov: Bool = false) {
        Hyperparameters.momentum.require(momentum, in: "SGD")
        Hyperparameters.dampening.require(dampening, in: "SGD")
        Hyperparameters.weightDecay.require(weightDecay, in: "SGD")
        precondition(!nesterov || (momentum > 0 && dampening == 0), "SGD: Nesterov momentum requires a momentum and zero dampening")
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        super.init(groups, learningRate: learningRate, weightDecay: weightDecay)
    }

    override public var stateBufferNames: [String] { momentum != 0 ? ["momentum_buffer"] : [] }
    override public var tracksStep: Bool { false }

    override public func update(_ parameter: Parameter, grad: Tensor, state: ParameterState, group: OptimizerGroup) {
        withUpdateBuffers(parameter, grad) { p, g, n in
            // PyTorch seeds the momentum buffer with the (decayed) gradient itself on the first step.
            let (buffer, created): (UnsafeMutablePointer<Float>?, Bool) =
                momentum != 0 ? state.buffer("momentum_buffer", copying: g, count: n) : (nil, false)
            let step = SGDStep(negativeLearningRate: Float(-group.learningRate),
                               weightDecay: group.weightDecay != 0 ? Float(group.weightDecay) : nil,
                               momentum: Float(momentum), keep: Float(1 - dampening), nesterov: nesterov, firstStep: created)
            Backends.current.sgdStep(p, g, momentumBuffer: buffer, count: n, step)
        }
    }
}
