import Foundation
import NablaCore
import NablaBackend

/// Scales the gradients of `parameters` so that their total norm is at most `maxNorm`, as
/// `torch.nn.utils.clip_grad_norm_`, and returns the total norm before clipping.
///
/// The total norm is the `normType`-norm of the per-parameter norms (parameters without a gradient
/// are left out); every gradient is multiplied by `min(1, maxNorm / (totalNorm + 1e-6))`, computed in
/// Float32. `normType` is any p ≥ 1 or `.infinity` (the largest absolute value). Each clipped
/// gradient is a new tensor, so gradients shared between parameters are not scaled twice.
///
/// ```swift
/// optimizer.zeroGrad()
/// loss.backward()
/// let norm = clipGradNorm(model.parameters, maxNorm: 1.0)
/// optimizer.step()
/// ```
@discardableResult
public func clipGradNorm(_ parameters: [Parameter], maxNorm: Double, normType: Double = 2) -> Float {
    precondition(normType >= 1, "clipGradNorm: normType \(normType) must be at least 1 or .infinity")
    let withGrad = parameters.compactMap { parameter in parameter.grad.map { (parameter, $0) } }
    guard !withGrad.isEmpty else { return 0 }
    let norms = withGrad.map { _, grad in grad.withUnsafeBufferPointer { vectorNorm($0, normType) } }
    let total = norms.withUnsafeBufferPointer { vectorNorm($0, normType) }
    let coefficient = Float(maxNorm) / (total + Float(1e-6))
    let clamped = coefficient > 1 ? 1 : coefficient  // a NaN coefficient stays NaN, as torch.clamp
    for (parameter, grad) in withGrad {
        parameter.grad = scaled(grad, by: clamped)
    }
    return total
}

/// Clamps every gradient element of `parameters` into `[-clipValue, clipValue]`, as
/// `torch.nn.utils.clip_grad_value_`. Parameters without a gradient are skipped.
///
/// ```swift
/// loss.backward()
/// clipGradValue(model.parameters, clipValue: 0.5)
/// optimizer.step()
/// ```
public func clipGradValue(_ parameters: [Parameter], clipValue: Double) {
    precondition(clipValue >= 0, "clipGradValue: clipValue \(clipValue) must be non-negative")
    let high = Float(clipValue), low = Float(-clipValue)
    for parameter in parameters {
        guard let grad = parameter.grad else { continue }
        parameter.grad = clamped(grad, low, high)
    }
}

/// The p-norm of `values` rounded to Float32, accumulated in double precision.
private func vectorNorm(_ values: UnsafeBufferPointer<Float>, _ p: Double) -> Float {
    if p == .infinity {
        var largest: Float = 0
        for x in values {
            if x.isNaN { return .nan }
            largest = Swift.max(largest, Swift.abs(x))
        }
        return largest
    }
    var sum = 0.0
    if p == 2 {
        for x in values { sum += Double(x) * Double(x) }
        return Float(sum.squareRoot())
    }
    if p == 1 {
        for x in values { sum += Swift.abs(Double(x)) }
        return Float(sum)
    }
    for x in values { sum += pow(Swift.abs(Double(x)), p) }
    return Float(pow(sum, 1 / p))
}

/// `tensor · factor` as a new tensor.
private func scaled(_ tensor: Tensor, by factor: Float) -> Tensor {
    let storage = TensorStorage.uninitialized(count: tensor.count)
    tensor.withUnsafeBufferPointer { source in
        for i in 0..<source.count { storage.pointer[i] = source[i] * factor }
    }
    return Tensor(shape: tensor.shape, storage: storage)
}

/// `tensor` clamped into `[low, high]` as a new tensor; NaN passes through, as in `torch.clamp`.
private func clamped(_ tensor: Tensor, _ low: Float, _ high: Float) -> Tensor {
    let storage = TensorStorage.uninitialized(count: tensor.count)
    tensor.withUnsafeBufferPointer { source in
        for i in 0..<source.count {
            let x = source[i]
            storage.pointer[i] = x < low ? low : (x > high ? high : x)
        }
    }
    return Tensor(shape: tensor.shape, storage: storage)
}
