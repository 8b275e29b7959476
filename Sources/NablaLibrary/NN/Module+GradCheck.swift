import NablaCore
import NablaBackend

/// Checks a module's gradients with respect to its input and every parameter against central
/// finite differences, as `gradcheck` does for functions. The module must be deterministic
/// (no active dropout).
///
/// ```swift
/// #expect(gradcheck(Linear(4, 3), input: Tensor.normal([2, 4])).passed)
/// ```
public func gradcheck(_ module: Module, input: Tensor, eps: Float = 1e-2, atol: Double = 1e-3,
                      rtol: Double = 1e-2, seed: UInt64 = 0) -> GradCheckResult {
    let x = input.detached().requiringGrad()
    let parameters = module.parameters
    let probe = module(x)
    var generator = Generator(seed: seed)
    let weights = Tensor.normal(probe.shape, generator: &generator).scalars
    let leaves = [x] + parameters.map(\.value)
    let analytic = gradients(of: (probe * Tensor(shape: probe.shape, scalars: weights)).sum(), withRespectTo: leaves)

    func loss() -> Double {
        let out = withNoGrad { module(x.detached()) }.scalars
        return zip(out, weights).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }
    var result = GradCheckResult(passed: true, maxAbsoluteError: 0, worstInput: -1, worstElement: -1, analytic: 0, numeric: 0)
    for (index, leaf) in leaves.enumerated() {
        let grad = analytic[index].scalars
        for element in 0..<leaf.count {
            let pointer = leaf.storage.pointer + element
            let original = pointer.pointee
            pointer.pointee = original + eps
            let plus = loss()
            pointer.pointee = original - eps
            let minus = loss()
            pointer.pointee = original
            let numeric = (plus - minus) / (Double(original + eps) - Double(original - eps))
            let error = Swift.abs(Double(grad[element]) - numeric)
            let ok = error <= atol + rtol * Swift.abs(numeric)
            if !ok || (result.passed && error > result.maxAbsoluteError) {
                result = GradCheckResult(passed: result.passed && ok, maxAbsoluteError: Swift.max(error, result.maxAbsoluteError),
                                         worstInput: index, worstElement: element, analytic: Double(grad[element]), numeric: numeric)
            }
        }
    }
    return result
}
