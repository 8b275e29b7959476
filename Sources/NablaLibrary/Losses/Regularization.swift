import NablaCore
import NablaBackend

// L1 and L2 weight penalties to add to a training loss.
//
// The penalty is added, never subtracted: `loss + λ·Σ|w|` pulls weights toward zero, while the
// `loss − λ·Σ|w|` of some tutorials pushes them away.

/// λ·Σ|w| over the parameters of `module`, to add to the loss (lasso / L1 regularization).
///
/// With `excludeBiasAndNorm` (the default), parameters whose name ends in `bias` and every parameter
/// of a module conforming to `NormalizationLayer` (BatchNorm, LayerNorm scales and shifts) are left out.
///
/// ```swift
/// let loss = crossEntropy(model(x), y) + l1Penalty(model, lambda: 1e-4)
/// loss.backward()   // each weight's gradient gains λ·sign(w)
/// ```
public func l1Penalty(_ module: Module, lambda: Float, excludeBiasAndNorm: Bool = true) -> Tensor {
    penalty(module, lambda: lambda, excludeBiasAndNorm: excludeBiasAndNorm) { $0.abs().sum() }
}

/// λ·Σw² over the parameters of `module`, to add to the loss (ridge / L2 regularization). Its gradient
/// is 2λw; optimizers' `weightDecay` adds λw instead.
///
/// With `excludeBiasAndNorm` (the default), parameters whose name ends in `bias` and every parameter
/// of a module conforming to `NormalizationLayer` are left out.
///
/// ```swift
/// let loss = mseLoss(model(x), y) + l2Penalty(model, lambda: 1e-3)
/// ```
public func l2Penalty(_ module: Module, lambda: Float, excludeBiasAndNorm: Bool = true) -> Tensor {
    penalty(module, lambda: lambda, excludeBiasAndNorm: excludeBiasAndNorm) { $0.squared().sum() }
}

/// The parameters a penalty covers, with their state-dict names, in `namedParameters()` order; a shared
/// parameter is covered once, under its first name.
///
/// ```swift
/// penalizedParameters(model).map(\.0)   // ["fc1.weight", "fc2.weight"]
/// ```
public func penalizedParameters(_ module: Module, excludeBiasAndNorm: Bool = true) -> [(String, Parameter)] {
    var seen = Set<ObjectIdentifier>()
    let all = module.namedParameters().filter { seen.insert(ObjectIdentifier($0.1)).inserted }
    guard excludeBiasAndNorm else { return all }
    var normalization = Set<ObjectIdentifier>()
    for (_, child) in module.modules() where child is NormalizationLayer {
        for (_, parameter) in child.namedParameters() { normalization.insert(ObjectIdentifier(parameter)) }
    }
    return all.filter { name, parameter in
        !name.hasSuffix("bias") && !normalization.contains(ObjectIdentifier(parameter))
    }
}

private func penalty(_ module: Module, lambda: Float, excludeBiasAndNorm: Bool, _ term: (Tensor) -> Tensor) -> Tensor {
    precondition(lambda >= 0, "penalty: lambda \(lambda) must be non-negative (the penalty is added to the loss)")
    let parameters = penalizedParameters(module, excludeBiasAndNorm: excludeBiasAndNorm)
    guard let first = parameters.first else { return Tensor(0) }
    let total = parameters.dropFirst().reduce(term(first.1.value)) { $0 + term($1.1.value) }
    return total * lambda
}
