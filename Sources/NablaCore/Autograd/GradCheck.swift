import NablaBackend

/// The outcome of `gradcheck`: the worst disagreement between autograd and finite differences.
public struct GradCheckResult: CustomStringConvertible, Sendable {
    /// Whether every element agreed within tolerance.
    public var passed: Bool
    /// The largest |analytic − numeric| seen, and where.
    public var maxAbsoluteError: Double
    public var worstInput: Int
    public var worstElement: Int
    public var analytic: Double
    public var numeric: Double

    public var description: String {
        "gradcheck \(passed ? "passed" : "FAILED"): max |error| \(maxAbsoluteError) at input \(worstInput) element \(worstElement) "
            + "(autograd \(analytic), finite difference \(numeric))"
    }

    package init(passed: Bool, maxAbsoluteError: Double, worstInput: Int, worstElement: Int, analytic: Double, numeric: Double) {
        self.passed = passed
        self.maxAbsoluteError = maxAbsoluteError
        self.worstInput = worstInput
        self.worstElement = worstElement
        self.analytic = analytic
        self.numeric = numeric
    }
}

/// Checks autograd against central finite differences.
///
/// The scalar probed is L = Σ f(inputs)·w for fixed random weights w, summed in Double; each input
/// element is nudged by ±`eps`. An element passes if |analytic − numeric| ≤ atol + rtol·|numeric|.
///
/// ```swift
/// let x = Tensor.normal([3, 4], requiresGrad: true)
/// #expect(gradcheck({ $0[0].tanh() }, inputs: [x]).passed)
/// ```
public func gradcheck(_ f: ([Tensor]) -> Tensor, inputs: [Tensor], eps: Float = 1e-2,
                      atol: Double = 1e-3, rtol: Double = 1e-2, seed: UInt64 = 0) -> GradCheckResult {
    let leaves = inputs.map { $0.detached().requiringGrad($0.requiresGrad) }
    let probe = f(leaves)
    var generator = Generator(seed: seed)
    let weights = Tensor.normal(probe.shape, generator: &generator)
    let analytic = gradients(of: (probe * weights).sum(), withRespectTo: leaves.filter(\.requiresGrad))
    let w = weights.scalars

    func loss(_ values: [Tensor]) -> Double {
        let out = withNoGrad { f(values) }.scalars
        var total = 0.0
        for i in 0..<out.count { total += Double(out[i]) * Double(w[i]) }
        return total
    }

    var result = GradCheckResult(passed: true, maxAbsoluteError: 0, worstInput: -1, worstElement: -1, analytic: 0, numeric: 0)
    var gradIndex = 0
    for (index, leaf) in leaves.enumerated() where leaf.requiresGrad {
        let grad = analytic[gradIndex].scalars
        gradIndex += 1
        for element in 0..<leaf.count {
            let numeric = centralDifference(leaves, index, element, eps, loss)
            let error = Swift.abs(Double(grad[element]) - numeric)
            let ok = error <= atol + rtol * Swift.abs(numeric)
            if !ok || error > result.maxAbsoluteError {
                if !ok || result.passed {
                    result.maxAbsoluteError = Swift.max(result.maxAbsoluteError, error)
                    result.worstInput = index
                    result.worstElement = element
                    result.analytic = Double(grad[element])
                    result.numeric = numeric
                }
                if !ok { result.passed = false }
            }
        }
    }
    return result
}

/// (L(x + eps) − L(x − eps)) / 2eps for one element of one input.
private func centralDifference(_ leaves: [Tensor], _ index: Int, _ element: Int, _ eps: Float,
                               _ loss: ([Tensor]) -> Double) -> Double {
    var values = leaves.map { $0.detached() }
    var scalars = leaves[index].scalars
    let original = scalars[element]
    scalars[element] = original + eps
    values[index] = Tensor(shape: leaves[index].shape, scalars: scalars)
    let plus = loss(values)
    scalars[element] = original - eps
    values[index] = Tensor(shape: leaves[index].shape, scalars: scalars)
    let minus = loss(values)
    let step = Double(original + eps) - Double(original - eps)
    return (plus - minus) / step
}
