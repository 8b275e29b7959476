/// The per-step constants of the optimizer updates that `Backend` runs over one parameter's buffers.
/// Optimizers compute them in Double and round them to Float once, where PyTorch rounds them; the
/// per-element arithmetic is Float32. A nil weight decay means none, not a decay of zero.

/// SGD: g ← grad + weightDecay·p; b ← g on the first step, else momentum·b + keep·g;
/// g ← g + momentum·b (Nesterov) or b; p ← p + negativeLearningRate·g. Without a momentum buffer
/// only the first and last lines apply.
package struct SGDStep {
    package let negativeLearningRate: Float
    package let weightDecay: Float?
    /// μ, and 1 − dampening.
    package let momentum: Float, keep: Float
    package let nesterov: Bool
    /// Whether the momentum buffer was created by this step (it is then seeded with g).
    package let firstStep: Bool

    package init(negativeLearningRate: Float, weightDecay: Float?, momentum: Float, keep: Float, nesterov: Bool, firstStep: Bool) {
        self.negativeLearningRate = negativeLearningRate
        self.weightDecay = weightDecay
        self.momentum = momentum
        self.keep = keep
        self.nesterov = nesterov
        self.firstStep = firstStep
    }
}

/// AdaGrad: g ← grad + weightDecay·p; sum ← sum + g²; p ← p + negativeLearningRate·g / (√sum + eps),
/// with the learning rate already decayed for this step.
package struct AdaGradStep {
    package let negativeLearningRate: Float
    package let weightDecay: Float?
    package let eps: Float

    package init(negativeLearningRate: Float, weightDecay: Float?, eps: Float) {
        self.negativeLearningRate = negativeLearningRate
        self.weightDecay = weightDecay
        self.eps = eps
    }
}

/// RMSProp: g ← grad + weightDecay·p; v ← alpha·v + (1 − alpha)·g²; centered (with a gradient
/// average): ḡ ← lerp(ḡ, g, 1 − alpha), avg = √(v − ḡ²) + eps, else avg = √v + eps; with a momentum
/// buffer: b ← momentum·b + g / avg, p ← p + negativeLearningRate·b, else p ← p + negativeLearningRate·g / avg.
package struct RMSPropStep {
    package let alpha: Float, oneMinusAlpha: Float
    package let eps: Float
    package let negativeLearningRate: Float
    package let momentum: Float
    package let weightDecay: Float?

    package init(alpha: Float, oneMinusAlpha: Float, eps: Float, negativeLearningRate: Float, momentum: Float, weightDecay: Float?) {
        self.alpha = alpha
        self.oneMinusAlpha = oneMinusAlpha
        self.eps = eps
        self.negativeLearningRate = negativeLearningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
    }
}

/// Adam and AdamW: p ← shrink·p (decoupled decay); g ← grad + weightDecay·p (coupled decay);
/// m ← lerp(m, g, 1 − β₁); v ← β₂·v + (1 − β₂)·g²; AMSGrad: v ← v̂ ← max(v̂, v);
/// p ← p + negativeStepSize·m / (√v / √(1 − β₂ᵗ) + eps), where negativeStepSize = −lr / (1 − β₁ᵗ).
package struct AdamStep {
    /// 1 − β₁, β₂, 1 − β₂ and √(1 − β₂ᵗ).
    package let oneMinusBeta1: Float, beta2: Float, oneMinusBeta2: Float, biasCorrection2Sqrt: Float
    package let eps: Float
    package let negativeStepSize: Float
    /// Coupled (L2) weight decay, added to the gradient.
    package let weightDecay: Float?
    /// Decoupled weight decay as the factor 1 − lr·weightDecay applied to p first.
    package let shrink: Float?

    package init(oneMinusBeta1: Float, beta2: Float, oneMinusBeta2: Float, biasCorrection2Sqrt: Float, eps: Float,
                 negativeStepSize: Float, weightDecay: Float?, shrink: Float?) {
        self.oneMinusBeta1 = oneMinusBeta1
        self.beta2 = beta2
        self.oneMinusBeta2 = oneMinusBeta2
        self.biasCorrection2Sqrt = biasCorrection2Sqrt
        self.eps = eps
        self.negativeStepSize = negativeStepSize
        self.weightDecay = weightDecay
        self.shrink = shrink
    }
}

/// `start + weight·(end − start)`, in the two forms PyTorch's `lerp` kernel picks between for accuracy.
@inline(__always)
package func lerpLikeTorch(_ start: Float, _ end: Float, weight: Float) -> Float {
    Swift.abs(weight) < 0.5 ? start + weight * (end - start) : end - (end - start) * (1 - weight)
}
