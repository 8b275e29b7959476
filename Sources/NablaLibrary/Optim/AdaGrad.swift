import NablaCore
import NablaBackend

/// AdaGrad, as `torch.optim.Adagrad`:
///
///     g ← grad + weightDecay·p
///     clr = lr / (1 + (step − 1)·lrDecay)
///     sum ← sum + g²
///     p ← p − clr·g / (√sum + eps)
///
/// State: `step` and `sum` per parameter, created for every parameter at initialization (filled with
/// `initialAccumulatorValue`), as in PyTorch.
///
/// ```swift
/// let optimizer = AdaGrad(model.parameters, learningRate: 0.01, lrDecay: 1e-4)
/// optimizer.zeroGrad(); loss.backward(); optimizer.step()
/// ```
public final class AdaGrad: Optimizer, @unchecked Sendable {
    public let lrDecay: Double
    public let weightDecay: Double
    public let initialAccumulatorValue: Double
    public let eps: Double

    /// Creates AdaGrad with the defaults in `Hyperparameters` (PyTorch's: `lr = 1e-2`, `eps = 1e-10`).
    public convenience init(_ parameters: [Parameter], learningRate: Double = Hyperparameters.learningRate.defaultValue(for: .adagrad),
                            lrDecay: Double = 0, weightDecay: Double = Hyperparameters.weightDecay.defaultValue(for: .adagrad),
                            initialAccumulatorValue: Double = 0, eps: Double = Hyperparameters.eps.defaultValue(for: .adagrad)) {
        self.init([ParameterGroup(parameters)], learningRate: learningRate, lrDecay: lrDecay, weightDecay: weightDecay,
                  initialAccumulatorValue: initialAccumulatorValue, eps: eps)
    }

    /// Creates AdaGrad over parameter groups; a group's unset rate or weight decay takes the one given here.
    public init(_ groups: [ParameterGroup], learningRate: Double = Hyperparameters.learningRate.defaultValue(for: .adagrad),
                lrDecay: Double = 0, weightDecay: Double = Hyperparameters.weightDecay.defaultValue(for: .adagrad),
                initialAccumulatorValue: Double = 0, eps: Double = Hyperparameters.eps.defaultValue(for: .adagrad)) {
        precondition(lrDecay >= 0, "AdaGrad: invalid lrDecay \(lrDecay)")
        Hyperparameters.weightDecay.require(weightDecay, in: "AdaGrad")
        precondition(initialAccumulatorValue >= 0, "AdaGrad: invalid initialAccumulatorValue \(initialAccumulatorValue)")
        Hyperparameters.eps.require(eps, in: "AdaGrad")
        self.lrDecay = lrDecay
        self.weightDecay = weightDecay
        self.initialAccumulatorValue = initialAccumulatorValue
        self.eps = eps
        super.init(groups, learningRate: learningRate, weightDecay: weightDecay)
        for (index, parameter) in parameters.enumerated() {
            let state = ParameterState()
            _ = state.buffer("sum", count: parameter.count, initial: Float(initialAccumulatorValue))
            states[index] = state
        }
    }

    override public var stateBufferNames: [String] { ["sum"] }

    override public func update(_ parameter: Parameter, grad: Tensor, state: ParameterState, group: OptimizerGroup) {
        let clr = group.learningRate / (1 + Double(state.step - 1) * lrDecay)
        let step = AdaGradStep(negativeLearningRate: Float(-clr), weightDecay: group.weightDecay != 0 ? Float(group.weightDecay) : nil,
                               eps: Float(eps))
        withUpdateBuffers(parameter, grad) { p, g, n in
            let sum = state.buffer("sum", count: n, initial: Float(initialAccumulatorValue))
            Backends.current.adaGradStep(p, g, sum: sum, count: n, step)
        }
    }
}
