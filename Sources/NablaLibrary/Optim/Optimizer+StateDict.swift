import NablaCore
import NablaBackend

/// A state dict that does not fit the optimizer or scheduler loading it: names the key, what is
/// wrong and how to fix it.
///
/// ```swift
/// do { try optimizer.loadStateDict(saved) }
/// catch let error as OptimizerStateError { print(error) }
/// // state.7.exp_avg: parameter index 7 is out of range (the optimizer has 4 parameters); …
/// ```
public struct OptimizerStateError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The offending key (or the missing one).
    public var key: String
    /// What is wrong, in a few words.
    public var problem: String
    /// How to fix it.
    public var hint: String

    /// An error about `key`: what is wrong and how to fix it.
    public init(key: String, _ problem: String, hint: String) {
        self.key = key
        self.problem = problem
        self.hint = hint
    }

    public var description: String { "\(key): \(problem); \(hint)" }
}

extension Optimizer {
    /// The state-dict key of the learning rate, as PyTorch's `param_groups[0]["lr"]`.
    public static var learningRateKey: String { "param_groups.0.lr" }

    /// Everything needed to resume training, as PyTorch's `state_dict()` flattened: `state.<i>.<name>`
    /// for each parameter that has state (`state.0.step`, `state.0.exp_avg`, …, `i` counting across
    /// groups), and for each group `g` its `param_groups.<g>.lr`, `param_groups.<g>.weight_decay` and
    /// `param_groups.<g>.params` (the indices of its parameters). Values are copies; other
    /// hyperparameters come from the initializer.
    ///
    /// ```swift
    /// let saved = optimizer.stateDict()          // e.g. written to a checkpoint
    /// let resumed = Adam(model.parameters, learningRate: 1e-3)
    /// try resumed.loadStateDict(saved)           // continues bit-identically
    /// ```
    public func stateDict() -> [String: Tensor] {
        var dict: [String: Tensor] = [:]
        for (g, group) in groups.enumerated() {
            dict["param_groups.\(g).lr"] = Tensor(Float(group.learningRate))
            dict["param_groups.\(g).weight_decay"] = Tensor(Float(group.weightDecay))
            dict["param_groups.\(g).params"] = Tensor(shape: [group.indices.count], scalars: group.indices.map(Float.init))
        }
        for index in parameters.indices {
            for (name, tensor) in state(at: index) { dict["state.\(index).\(name)"] = tensor }
        }
        return dict
    }

    /// Replaces all per-parameter state with `dict` (parameters it does not mention start fresh) and
    /// restores each group's learning rate. Nothing changes if `dict` does not fit this optimizer:
    /// a group's `weight_decay` or `params`, when present, must equal this optimizer's.
    ///
    /// A learning rate is stored as a Float32 scalar. When it equals the current rate rounded to
    /// Float32, the current (double) rate is kept, so an optimizer created with the same settings
    /// resumes bit-identically. A changed rate comes back as its Float32 rounding; `Trainer.resume` keeps
    /// the exact rates in `trainer.json` instead.
    ///
    /// ```swift
    /// try optimizer.loadStateDict(checkpoint.optimizerState)
    /// ```
    public func loadStateDict(_ dict: [String: Tensor]) throws {
        var entries: [Int: [String: Tensor]] = [:]
        var storedRates: [Int: Float] = [:]
        for (key, tensor) in dict {
            if key.hasPrefix("param_groups.") {
                if let (group, rate) = try checkGroupEntry(key, tensor) { storedRates[group] = rate }
                continue
            }
            let (index, name) = try parse(key)
            try check(tensor, key: key, name: name, index: index)
            entries[index, default: [:]][name] = tensor
        }
        let required = (tracksStep ? ["step"] : []) + stateBufferNames
        var newStates = [ParameterState?](repeating: nil, count: parameters.count)
        for (index, named) in entries {
            for name in required where named[name] == nil {
                throw OptimizerStateError(key: "state.\(index).\(name)", "missing, though other state of parameter \(index) is present",
                                          hint: "was the state saved by \(type(of: self)) with the same options?")
            }
            let state = ParameterState()
            state.step = Int(named["step"]?.item ?? 0)
            for name in stateBufferNames { state.buffers[name] = TensorStorage.copying(named[name]!.scalars) }
            newStates[index] = state
        }
        states = newStates
        for (group, rate) in storedRates where rate != Float(groups[group].learningRate) { groups[group].learningRate = Double(rate) }
    }

    /// Checks a `param_groups.<g>.<name>` entry; returns the group and its rate for an `lr` entry.
    private func checkGroupEntry(_ key: String, _ tensor: Tensor) throws -> (Int, Float)? {
        let parts = key.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let g = Int(parts[1]), groups.indices.contains(g) else {
            throw OptimizerStateError(key: key, "no such parameter group (the optimizer has \(groups.count))",
                                      hint: "create the optimizer with the same parameter groups that were saved")
        }
        switch parts[2] {
        case "lr":
            guard tensor.count == 1, tensor.item.isFinite, tensor.item >= 0 else {
                throw OptimizerStateError(key: key, "expected one non-negative learning rate, got shape \(tensor.shape)",
                                          hint: "store the learning rate as a scalar tensor")
            }
            return (g, tensor.item)
        case "weight_decay":
            guard tensor.count == 1, tensor.item == Float(groups[g].weightDecay) else {
                throw OptimizerStateError(key: key, "saved \(tensor.scalars), but this optimizer's group \(g) decays by \(groups[g].weightDecay)",
                                          hint: "create the optimizer with the same weight decay per group as when saving")
            }
        case "params":
            guard tensor.scalars == groups[g].indices.map(Float.init) else {
                throw OptimizerStateError(key: key, "saved parameters \(tensor.scalars.map { Int($0) }), but group \(g) holds \(Array(groups[g].indices))",
                                          hint: "create the optimizer with the same parameter groups, in the same order, as when saving")
            }
        default:
            throw OptimizerStateError(key: key, "unexpected key", hint: "group keys are lr, weight_decay and params")
        }
        return nil
    }

    private func parse(_ key: String) throws -> (index: Int, name: String) {
        let parts = key.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "state", let index = Int(parts[1]) else {
            throw OptimizerStateError(key: key, "unexpected key",
                                      hint: "keys are `\(Self.learningRateKey)` and `state.<parameter index>.<name>`")
        }
        guard parameters.indices.contains(index) else {
            throw OptimizerStateError(key: key, "parameter index \(index) is out of range (the optimizer has \(parameters.count) parameters)",
                                      hint: "create the optimizer over the same parameter list that was saved")
        }
        return (index, String(parts[2]))
    }

    private func check(_ tensor: Tensor, key: String, name: String, index: Int) throws {
        if name == "step" && tracksStep {
            let step = tensor.count == 1 ? tensor.item : -1
            guard step >= 0, step == step.rounded() else {
                throw OptimizerStateError(key: key, "expected a scalar non-negative whole step count",
                                          hint: "store the step count as a scalar tensor")
            }
        } else if stateBufferNames.contains(name) {
            guard tensor.shape == parameters[index].shape else {
                throw OptimizerStateError(key: key, "shape \(tensor.shape) differs from parameter \(index) shape \(parameters[index].shape)",
                                          hint: "create the optimizer over the same parameters, in the same order, as when saving")
            }
        } else {
            let known = (tracksStep ? ["step"] : []) + stateBufferNames
            throw OptimizerStateError(key: key, "\(type(of: self)) with these options keeps no state named `\(name)`",
                                      hint: "expected one of \(known); was it saved by another optimizer or with other options?")
        }
    }
}
