import NablaCore
import NablaBackend

/// The optimizers by name, for configurations and command lines.
///
/// ```swift
/// let kind = try OptimizerKind.named("adamw")
/// let optimizer = try OptimizerSettings(kind: kind, learningRate: 3e-4).makeOptimizer(model.parameters)
/// ```
public enum OptimizerKind: String, CaseIterable, Sendable {
    /// `SGD`, without momentum unless one is given.
    case sgd
    /// `SGD` with momentum (0.9 unless another is given).
    case momentum
    /// `SGD` with Nesterov momentum.
    case nesterov
    /// `AdaGrad`, `RMSProp`, `Adam` and `AdamW`.
    case adagrad, rmsprop, adam, adamw

    /// The names, in order, for help texts and error messages.
    public static var names: [String] { allCases.map(\.rawValue) }

    /// Looks an optimizer up by name, or explains which names exist.
    public static func named(_ name: String) throws -> OptimizerKind {
        guard let kind = OptimizerKind(rawValue: name.lowercased()) else {
            throw ConfigurationError("\(setting: .optimizer) \(name): unknown; use one of \(names.joined(separator: ", "))")
        }
        return kind
    }
}

/// An optimizer's kind and settings; a setting left `nil` takes this kind's default from `Hyperparameters`.
public struct OptimizerSettings: Sendable, Equatable {
    /// Which optimizer.
    public var kind: OptimizerKind
    /// The learning rate it starts with.
    public var learningRate: Double?
    /// Used by `sgd`, `momentum`, `nesterov` and `rmsprop`.
    public var momentum: Double?
    /// Used by `adam` and `adamw`.
    public var beta1: Double?, beta2: Double?
    /// The term added to denominators (not used by the SGD kinds).
    public var eps: Double?
    /// Weight decay: added to the gradient, or decoupled in `adamw`.
    public var weightDecay: Double?
    /// Which parameters decay (`nil`: all).
    public var weightDecayScope: WeightDecayScope?
    /// AMSGrad, for `adam` and `adamw`.
    public var amsgrad: Bool?
    /// Dampening, for `sgd` and `momentum`.
    public var dampening: Double?
    /// Alpha, for `rmsprop`.
    public var rmspropAlpha: Double?

    /// Settings for `kind`; those left `nil` take its defaults.
    public init(kind: OptimizerKind, learningRate: Double? = nil, momentum: Double? = nil, beta1: Double? = nil,
                beta2: Double? = nil, eps: Double? = nil, weightDecay: Double? = nil) {
        self.kind = kind
        self.learningRate = learningRate
        self.momentum = momentum
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weightDecay = weightDecay
    }

    /// The learning rate the optimizer starts with.
    public var resolvedLearningRate: Double { learningRate ?? Hyperparameters.learningRate.defaultValue(for: kind) }

    /// Throws a `ConfigurationError` naming the first setting outside its bounds.
    public func validate() throws {
        try Hyperparameters.learningRate.validate(learningRate)
        try Hyperparameters.momentum.validate(momentum)
        try Hyperparameters.beta1.validate(beta1)
        try Hyperparameters.beta2.validate(beta2)
        try Hyperparameters.eps.validate(eps)
        try Hyperparameters.weightDecay.validate(weightDecay)
        try Hyperparameters.dampening.validate(dampening)
        try Hyperparameters.rmspropAlpha.validate(rmspropAlpha)
        if kind == .nesterov, momentum == 0 {
            throw ConfigurationError("\(setting: .momentum) 0: nesterov needs a momentum above 0")
        }
        try validateKindOptions()
    }

    /// Options that only some kinds have are refused for the others, rather than ignored.
    private func validateKindOptions() throws {
        if amsgrad == true, kind != .adam, kind != .adamw {
            throw ConfigurationError("\(setting: .amsgrad) applies to adam and adamw, not \(kind.rawValue)")
        }
        if let dampening, dampening != 0, kind != .sgd, kind != .momentum {
            throw ConfigurationError("\(setting: .dampening) \(dampening): applies to sgd and momentum (nesterov needs 0), not \(kind.rawValue)")
        }
        if rmspropAlpha != nil, kind != .rmsprop {
            throw ConfigurationError("\(setting: .rmspropAlpha) applies to rmsprop, not \(kind.rawValue)")
        }
    }

    /// The parameter groups for `parameters`: one, or nanoGPT's decay/no-decay split when the scope
    /// is `matrices` and the weight decay is above 0.
    public func parameterGroups(_ parameters: [Parameter]) -> [ParameterGroup] {
        let decay = weightDecay ?? Hyperparameters.weightDecay.defaultValue(for: kind)
        guard weightDecayScope == .matrices, decay > 0 else { return [ParameterGroup(parameters)] }
        return ParameterGroup.decayAndNoDecay(parameters, weightDecay: decay)
    }

    /// Validates the settings and creates the optimizer over `parameters`.
    public func makeOptimizer(_ parameters: [Parameter]) throws -> Optimizer {
        try validate()
        func value(_ row: Hyperparameter<Double>, _ given: Double?) -> Double { given ?? row.defaultValue(for: kind) }
        let lr = resolvedLearningRate, wd = value(Hyperparameters.weightDecay, weightDecay)
        let momentum = value(Hyperparameters.momentum, momentum), eps = value(Hyperparameters.eps, eps)
        let betas = (value(Hyperparameters.beta1, beta1), value(Hyperparameters.beta2, beta2))
        let groups = parameterGroups(parameters), amsgrad = amsgrad ?? false
        let dampening = value(Hyperparameters.dampening, dampening), alpha = value(Hyperparameters.rmspropAlpha, rmspropAlpha)
        switch kind {
        case .sgd, .momentum: return SGD(groups, learningRate: lr, momentum: momentum, dampening: dampening, weightDecay: wd)
        case .nesterov: return SGD(groups, learningRate: lr, momentum: momentum, weightDecay: wd, nesterov: true)
        case .adagrad: return AdaGrad(groups, learningRate: lr, weightDecay: wd, eps: eps)
        case .rmsprop: return RMSProp(groups, learningRate: lr, alpha: alpha, eps: eps, weightDecay: wd, momentum: momentum)
        case .adam: return Adam(groups, learningRate: lr, betas: betas, eps: eps, weightDecay: wd, amsgrad: amsgrad)
        case .adamw: return AdamW(groups, learningRate: lr, betas: betas, eps: eps, weightDecay: wd, amsgrad: amsgrad)
        }
    }
}

/// Which parameters an optimizer's weight decay applies to.
///
/// ```swift
/// var settings = OptimizerSettings(kind: .adamw, weightDecay: 0.1)
/// settings.weightDecayScope = .matrices   // biases and norms do not decay, as in nanoGPT
/// ```
public enum WeightDecayScope: String, CaseIterable, Sendable {
    /// Every parameter, as PyTorch's optimizers do by default.
    case all
    /// Parameters of rank 2 or more (matrices, embeddings, convolution kernels); see
    /// `ParameterGroup.decayAndNoDecay`.
    case matrices

    /// Looks a scope up by name, or explains which names exist.
    public static func named(_ name: String) throws -> WeightDecayScope {
        guard let scope = WeightDecayScope(rawValue: name.lowercased()) else {
            throw ConfigurationError("\(setting: .weightDecayParameters) \(name): unknown; use all or matrices")
        }
        return scope
    }
}
