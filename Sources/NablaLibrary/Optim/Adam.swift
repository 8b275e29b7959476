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
        self.init(parameters, learningRate: learningRate, betas: betas, eps: eps, weightDecay: weightDecay,
                  amsgrad: amsgrad, decoupledWeightDecay: false)
    }

    init(_ parameters: [Parameter], learningRate: Double, betas: (Double, Double), eps: Double,
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
            var start = 0
            if maxExpAvgSq == nil && shrink == nil {
                let scalars = AdamScalars(w1: w1, b2: b2, w2: w2, bc2Sqrt: bc2Sqrt, epsilon: epsilon,
                                          negStepSize: negStepSize, decay: coupled ? decay : nil)
                start = Self.updateVectorized(p, g, expAvg, expAvgSq, n, scalars)
            }
            for i in start..<n {
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

    /// The loop above without AMSGrad or decoupled decay, four lanes at a time: the same operations
    /// in the same order (no fused multiply-add), so results are bit-identical. Returns how many it did.
    private static func updateVectorized(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                                         _ expAvg: UnsafeMutablePointer<Float>, _ expAvgSq: UnsafeMutablePointer<Float>,
                                         _ n: Int, _ c: AdamScalars) -> Int {
        typealias V = SIMD4<Float>
        // lerpLikeTorch's branch depends only on the weight, so it is taken once here.
        let nearStart = Swift.abs(c.w1) < 0.5, oneMinusW1 = 1 - c.w1
        let vectors = n / 4
        @inline(__always) func step(_ i: Int) {
            let x = UnsafeRawPointer(p + i).loadUnaligned(as: V.self)
            let grad = UnsafeRawPointer(g + i).loadUnaligned(as: V.self)
            let d = c.decay.map { grad + $0 * x } ?? grad
            let e = UnsafeRawPointer(expAvg + i).loadUnaligned(as: V.self)
            let m = nearStart ? e + c.w1 * (d - e) : d - (d - e) * oneMinusW1
            let v = UnsafeRawPointer(expAvgSq + i).loadUnaligned(as: V.self) * c.b2 + c.w2 * d * d
            UnsafeMutableRawPointer(expAvg + i).storeBytes(of: m, as: V.self)
            UnsafeMutableRawPointer(expAvgSq + i).storeBytes(of: v, as: V.self)
            let denom = SIMDMath.squareRoot(v) / c.bc2Sqrt + c.epsilon
            UnsafeMutableRawPointer(p + i).storeBytes(of: x + c.negStepSize * m / denom, as: V.self)
        }
        // Elementwise, so splitting across cores changes no result.
        Parallel.forEachChunk(count: vectors, minChunk: 1 << 13) { r in
            for v in r { step(4 * v) }
        }
        return 4 * vectors
    }
}

/// Adam's per-step constants, in Float as the scalar loop uses them.
private struct AdamScalars {
    let w1: Float, b2: Float, w2: Float, bc2Sqrt: Float, epsilon: Float, negStepSize: Float
    /// The coupled weight decay, or nil when the gradient is used as is.
    let decay: Float?
}
