import NablaCore
import NablaBackend

/// AdamW, as `torch.optim.AdamW`: Adam with decoupled weight decay, which shrinks the parameter by
/// `1 − lr·weightDecay` before the Adam step instead of adding `weightDecay·p` to the gradient.
///
/// State: the same as `Adam` (`step`, `exp_avg`, `exp_avg_sq`, `max_exp_avg_sq` with AMSGrad).
///
/// ```swift
/// let optimizer = AdamW(model.parameters, learningRate: 1e-3, weightDecay: 1e-2)
/// optimizer.zeroGrad(); loss.backward(); optimizer.step()
/// ```
public final class AdamW: Adam, @unchecked Sendable {
    /// Creates AdamW with the defaults in `Hyperparameters` (PyTorch's: `lr = 1e-3`, `weightDecay = 1e-2`).
    public convenience init(_ parameters: [Parameter], learningRate: Double = Hyperparameters.learningRate.defaultValue(for: .adamw),
                            betas: (Double, Double) = (Hyperparameters.beta1.defaultValue, Hyperparameters.beta2.defaultValue),
                            eps: Double = Hyperparameters.eps.defaultValue(for: .adamw),
                            weightDecay: Double = Hyperparameters.weightDecay.defaultValue(for: .adamw), amsgrad: Bool = false) {
        self.init([ParameterGroup(parameters)], learningRate: learningRate, betas: betas, eps: eps, weightDecay: weightDecay,
                  amsgrad: amsgrad)
    }

    /// Creates AdamW over parameter groups (e.g. `ParameterGroup.decayAndNoDecay`); a group's unset
    /// rate or weight decay takes the one given here.
    public init(_ groups: [ParameterGroup], learningRate: Double = Hyperparameters.learningRate.defaultValue(for: .adamw),
                betas: (Double, Double) = (Hyperparameters.beta1.defaultValue, Hyperparameters.beta2.defaultValue),
                eps: Double = Hyperparameters.eps.defaultValue(for: .adamw),
                weightDecay: Double = Hyperparameters.weightDecay.defaultValue(for: .adamw), amsgrad: Bool = false) {
        super.init(groups, learningRate: learningRate, betas: betas, eps: eps, weightDecay: weightDecay,
                   amsgrad: amsgrad, decoupledWeightDecay: true)
    }
}
