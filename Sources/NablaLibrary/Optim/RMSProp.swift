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

    /// Creates RMSProp with the defaults in `Hyperparameters` (PyTorch's: `lr = 1e-2`, `eps = 1e-8`) and `alpha = 0.99`.
    public init(_ parameters: [Parameter], learningRate: Double = Hyperparameters.learningRate.defaultValue(for: .rmsprop),
                alpha: Double = 0.99, eps: Double = Hyperparameters.eps.defaultValue(for: .rmsprop),
                weightDecay: Double = Hyperparameters.weightDecay.defaultValue(for: .rmsprop),
                momentum: Double = Hyperparameters.momentum.defaultValue(for: .rmsprop), centered: Bool = false) {
        precondition(alpha >= 0, "RMSProp: invalid alpha \(alpha)")
        Hyperparameters.eps.require(eps, in: "RMSProp")
        Hyperparameters.weightDecay.require(weightDecay, in: "RMSProp")
        Hyperparameters.momentum.require(momentum, in: "RMSProp")
        self.alpha = alpha
        self.eps = eps
        self.weightDecay = weightDecay
        self.momentum = momentum
        self.centered = centered
        super.init(parameters, learningRate: learningRate)
    }

    override public var stateBufferNames: [String] {
        ["square_avg"] + (momentum > 0 ? ["momentum_buffer"] : []) + (centered ? ["grad_avg"] : [])
    }

    override public func update(_ parameter: Parameter, grad: Tensor, state: ParameterState) {
        let decay = Float(weightDecay), hasDecay = weightDecay != 0
        let a = Float(alpha), oneMinusA = Float(1 - alpha), epsilon = Float(eps), negLR = Float(-learningRate)
        withUpdateBuffers(parameter, grad) { p, g, n in
            let squareAvg = state.buffer("square_avg", count: n)
            let gradAvg = centered ? state.buffer("grad_avg", count: n) : nil
            let buf = momentum > 0 ? state.buffer("momentum_buffer", count: n) : nil
            let mu = Float(momentum)
            forEachChunk(n) { range in
                for i in range {
                    let d = hasDecay ? g[i] + decay * p[i] : g[i]
                    let v = squareAvg[i] * a + oneMinusA * d * d
                    squareAvg[i] = v
                    var avg: Float
                    if let gradAvg {
                        let m = lerpLikeTorch(gradAvg[i], d, weight: oneMinusA)
                        gradAvg[i] = m
                        avg = (v - m * m).squareRoot()
                    } else {
                        avg = v.squareRoot()
                    }
                    avg = avg + epsilon
                    if let buf {
                        let b = buf[i] * mu + d / avg
                        buf[i] = b
                        p[i] = p[i] + negLR * b
                    } else {
                        p[i] = p[i] + negLR * d / avg
                    }
                }
            }
        }
    }
}

