import NablaCore
import NablaBackend

/// RMSProp, as `torch.optim.RMSprop`:
///
///     g ← grad + weightDecay·p
///     v ← alpha·v + (1 − alpha)·g²
///     centered: ḡ ← lerp(ḡ, g, 1 − alpha); avg = √(v − ḡ²) + eps, else avg = √v + eps
///     momentum > 0: b ← momentum·b + g / avg; p ← p − lr·b, else p ← p − lr·g / avg
///
/// State: `step`, `square_avg`, plus `momentum_buffer` (momentum > 0) and `grad_avg` (centered).
///
/// ```swift
/// let optimizer = RMSProp(model.parameters, learningRate: 1e-3, momentum: 0.9, centered: true)
/// optimizer.zeroGrad(); loss.backward(); optimizer.step()
/// ```
public final class RMSProp: Optimizer, @unchecked Sendable {
    public let alpha: Double
    public let eps: Double
    public let weightDecay: Double
    public let momentum: Double
    public let centered: Bool

    /// Creates RMSProp with the defaults in `Hyperparameters` (PyTorch's: `lr = 1e-2`, `alpha = 0.99`, `eps = 1e-8`).
    public convenience init(_ parameters: [Parameter], learningRate: Double = Hyperparameters.learningRate.defaultValue(for: .rmsprop),
                            alpha: Double = Hyperparameters.rmspropAlpha.defaultValue, eps: Double = Hyperparameters.eps.defaultValue(for: .rmsprop),
                            weightDecay: Double = Hyperparameters.weightDecay.defaultValue(for: .rmsprop),
                            momentum: Double = Hyperparameters.momentum.defaultValue(for: .rmsprop), centered: Bool = false) {
        self.init([ParameterGroup(parameters)], learningRate: learningRate, alpha: alpha, eps: eps, weightDecay: weightDecay,
                  momentum: momentum, centered: centered)
    }

    /// Creates RMSProp over parameter groups; a group's unset rate or weight decay takes the one given here.
    public init(_ groups: [ParameterGroup], learningRate: Double = Hyperparameters.learningRate.defaultValue(for: .rmsprop),
                alpha: Double = Hyperparameters.rmspropAlpha.defaultValue, eps: Double = Hyperparameters.eps.defaultValue(for: .rmsprop),
                weightDecay: Double = Hyperparameters.weightDecay.defaultValue(for: .rmsprop),
                momentum: Double = Hyperparameters.momentum.defaultValue(for: .rmsprop), centered: Bool = false) {
        Hyperparameters.rmspropAlpha.require(alpha, in: "RMSProp")
        Hyperparameters.eps.require(eps, in: "RMSProp")
        Hyperparameters.weightDecay.require(weightDecay, in: "RMSProp")
        Hyperparameters.momentum.require(momentum, in: "RMSProp")
        self.alpha = alpha
        self.eps = eps
        self.weightDecay = weightDecay
        self.momentum = momentum
        self.centered = centered
        super.init(groups, learningRate: learningRate, weightDecay: weightDecay)
    }

    override public var stateBufferNames: [String] {
        ["square_avg"] + (momentum > 0 ? ["momentum_buffer"] : []) + (centered ? ["grad_avg"] : [])
    }

    override public func update(_ parameter: Parameter, grad: Tensor, state: ParameterState, group: OptimizerGroup) {
        let step = RMSPropStep(alpha: Float(alpha), oneMinusAlpha: Float(1 - alpha), eps: Float(eps),
                               negativeLearningRate: Float(-group.learningRate), momentum: Float(momentum),
                               weightDecay: group.weightDecay != 0 ? Float(group.weightDecay) : nil)
        withUpdateBuffers(parameter, grad) { p, g, n in
            let squareAvg = state.buffer("square_avg", count: n)
            let gradAvg = centered ? state.buffer("grad_avg", count: n) : nil
            let buffer = momentum > 0 ? state.buffer("momentum_buffer", count: n) : nil
            Backends.current.rmsPropStep(p, g, squareAvg: squareAvg, gradAvg: gradAvg, momentumBuffer: buffer, count: n, step)
        }
    }
}

