import Foundation

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

    /// Creates Adam with PyTorch's defaults (`lr = 1e-3`, `betas = (0.9, 0.999)`, `eps = 1e-8`).
    public convenience init(_ parameters: [Parameter], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                            eps: Double = 1e-8, weightDecay: Double = 0, amsgrad: Bool = false) {
        self.init(parameters, learningRate: learningRate, betas: betas, eps: eps, weightDecay: weightDecay,
                  amsgrad: amsgrad, decoupledWeightDecay: false)
    }

    init(_ parameters: [Parameter], learningRate: Double, betas: (Double, Double), eps: Double,
         weightDecay: Double, amsgrad: Bool, decoupledWeightDecay: Bool) {
        precondition((0..<1).contains(betas.0) && (0..<1).contains(betas.1), "\(Self.self): invalid betas \(betas)")
        precondition(eps >= 0, "\(Self.self): invalid eps \(eps)")
        precondition(weightDecay >= 0, "\(Self.self): invalid weight decay \(weightDecay)")
        self.betas = betas
        self.eps = eps
        self.weightDecay = weightDecay
        self.amsgrad = amsgrad
        self.decoupledWeightDecay = decoupledWeightDecay
        super.init(parameters, learningRate: learningRate)
    }

    override public var stateBufferNames: [String] {
        ["exp_avg", "exp_avg_sq"] + (amsgrad ? ["max_exp_avg_sq"] : [])
    }

    override public func update(_ parameter: Parameter, grad: Tensor, state: ParameterState) {
        let (beta1, beta2) = betas
        // Scalars in double, rounded once, as PyTorch computes them in Python.
        let step = Double(state.step)
        let biasCorrection1 = 1 - pow(beta1, step)
        let biasCorrection2 = 1 - pow(beta2, step)
        let negStepSize = Float(-(learningRate / biasCorrection1))
        let bc2Sqrt = Float(pow(biasCorrection2, 0.5))
        let w1 = Float(1 - beta1), b2 = Float(beta2), w2 = Float(1 - beta2), epsilon = Float(eps)
        let coupled = weightDecay != 0 && !decoupledWeightDecay, decay = Float(weightDecay)
        let shrink = decoupledWeightDecay && weightDecay != 0 ? Float(1 - learningRate * weightDecay) : nil
        withUpdateBuffers(parameter, grad) { p, g, n in
            let expAvg = state.buffer("exp_avg", count: n)
            let expAvgSq = state.buffer("exp_avg_sq", count: n)
            let maxExpAvgSq = amsgrad ? state.buffer("max_exp_avg_sq", count: n) : nil
            forEachChunk(n) { range in
                for i in range {
                    var x = p[i]
                    if let shrink { x = x * shrink }
                    let d = coupled ? g[i] + decay * x : g[i]
                    let m = lerpLikeTorch(expAvg[i], d, weight: w1)
                    expAvg[i] = m
                    var v = expAvgSq[i] * b2 + w2 * d * d
                    expAvgSq[i] = v
                    if let maxExpAvgSq {
                        v = Swift.max(maxExpAvgSq[i], v)
                        maxExpAvgSq[i] = v
                    }
                    let denom = v.squareRoot() / bc2Sqrt + epsilon
                    p[i] = x + negStepSize * m / denom
                }
            }
        }
    }
}
