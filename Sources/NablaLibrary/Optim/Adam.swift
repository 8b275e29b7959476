import Foundation
import NablaCore
import NablaBackend

/// Adam, as `torch.optim.Adam` (its default single-tensor implementation), with L2 weight decay
/// added to the gradient and optional AMSGrad:
///
///     g ← grad + weightDecay·p
///     m ← lerp(m, g, 1 − β₁);  v ← β₂·v + (1 − β₂)·g²;  AMSGrad: v̂ ← max(v̂, v)
///     p ← p − (lr / (1 − β₁ᵗ))·m / (√v / √(1 − β₂ᵗ) + eps)
///
/// State: `step`, `exp_avg`, `exp_avg_sq`, plus `max_exp_avg_sq` with AMSGrad.
/// For decoupled weight decay use `AdamW`.
///
/// ```swift
/// let optimizer = Adam(model.parameters, learningRate: 1e-3, betas: (0.9, 0.999))
/// optimizer.zeroGrad(); loss.backward(); optimizer.step()
/// ```
public class Adam: Optimizer, @unchecked Sendable {
    public let betas: (Double, Double)
    public let eps: Double
    public let weightDecay: Double
    public let amsgrad: Bool
    /// Whether weight decay shrinks the parameter directly (AdamW) instead of adding to the gradient.
    public let decoupledWeightDecay: Bool

    /// Creates Adam with the defaults in `Hyperparameters` (PyTorch's: `lr = 1e-3`, `betas = (0.9, 0.999)`, `eps = 1e-8`).
    public convenience init(_ parameters: [Parameter], learningRate: Double = Hyperparameters.learningRate.defaultValue(for: .adam),
                            betas: (Double, Double) = (Hyperparameters.beta1.defaultValue, Hyperparameters.beta2.defaultValue),
                            eps: Double = Hyperparameters.eps.defaultValue(for: .adam),
                            weightDecay: Double = Hyperparameters.weightDecay.defaultValue(for: .adam), amsgrad: Bool = false) {
        self.init([ParameterGroup(parameters)], learningRate: learningRate, betas: betas, eps: eps, weightDecay: weightDecay,
                  amsgrad: amsgrad, decoupledWeightDecay: false)
    }

    /// Creates Adam over parameter groups; a group's unset rate or weight decay takes the one given here.
    public convenience init(_ groups: [ParameterGroup], learningRate: Double = Hyperparameters.learningRate.defaultValue(for: .adam),
                            betas: (Double, Double) = (Hyperparameters.beta1.defaultValue, Hyperparameters.beta2.defaultValue),
                            eps: Double = Hyperparameters.eps.defaultValue(for: .adam),
                            weightDecay: Double = Hyperparameters.weightDecay.defaultValue(for: .adam), amsgrad: Bool = false) {
        self.init(groups, learningRate: learningRate, betas: betas, eps: eps, weightDecay: weightDecay,
                  amsgrad: amsgrad, decoupledWeightDecay: false)
    }

    init(_ groups: [ParameterGroup], learningRate: Double, betas: (Double, Double), eps: Double,
         weightDecay: Double, amsgrad: Bool, decoupledWeightDecay: Bool) {
        let owner = decoupledWeightDecay ? "AdamW" : "Adam"
        Hyperparameters.beta1.require(betas.0, in: owner)
        Hyperparameters.beta2.require(betas.1, in: owner)
        Hyperparameters.eps.require(eps, in: owner)
        Hyperparameters.weightDecay.require(weightDecay, in: owner)
        self.betas = betas
        self.eps = eps
        self.weightDecay = weightDecay
        self.amsgrad = amsgrad
        self.decoupledWeightDecay = decoupledWeightDecay
        super.init(groups, learningRate: learningRate, weightDecay: weightDecay)
    }

    override public var stateBufferNames: [String] {
        ["exp_avg", "exp_avg_sq"] + (amsgrad ? ["max_exp_avg_sq"] : [])
    }

    override public func update(_ parameter: Parameter, grad: Tensor, state: ParameterState, group: OptimizerGroup) {
        let (beta1, beta2) = betas
        // Scalars in double, rounded once, as PyTorch computes them in Python.
        let step = Double(state.step)
        let biasCorrection1 = 1 - pow(beta1, step)
        let biasCorrection2 = 1 - pow(beta2, step)
        let (learningRate, weightDecay) = (group.learningRate, group.weightDecay)
        let decays = weightDecay != 0
        let constants = AdamStep(oneMinusBeta1: Float(1 - beta1), beta2: Float(beta2), oneMinusBeta2: Float(1 - beta2),
                                 biasCorrection2Sqrt: Float(pow(biasCorrection2, 0.5)), eps: Float(eps),
                                 negativeStepSize: Float(-(learningRate / biasCorrection1)),
                                 weightDecay: decays && !decoupledWeightDecay ? Float(weightDecay) : nil,
                                 shrink: decays && decoupledWeightDecay ? Float(1 - learningRate * weightDecay) : nil)
        withUpdateBuffers(parameter, grad) { p, g, n in
            let expAvg = state.buffer("exp_avg", count: n)
            let expAvgSq = state.buffer("exp_avg_sq", count: n)
            let maxExpAvgSq = amsgrad ? state.buffer("max_exp_avg_sq", count: n) : nil
            Backends.current.adamStep(p, g, expAvg: expAvg, expAvgSq: expAvgSq, maxExpAvgSq: maxExpAvgSq, count: n, constants)
        }
    }
}
