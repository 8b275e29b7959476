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

    /// Everything needed to resume training: `state.<i>.<name>` for each parameter that has state
    /// (`state.0.step`, `state.0.exp_avg`, … as in PyTorch's `state_dict()`), and the learning rate
    /// under `param_groups.0.lr`. Values are copies. Other hyperparameters come from the initializer.
    ///
    /// ```swift
    /// let saved = optimizer.stateDict()          // e.g. written to a checkpoint
    /// let resumed = Adam(model.parameters, learningRate: 1e-3)
    /// try resumed.loadStateDict(saved)           // continues bit-identically
    /// ```
    public func stateDict() -> [String: Tensor] {
        var dict = [Self.learningRateKey: Tensor(Float(learningRate))]
        for index in parameters.indices {
            for (name, tensor) in state(at: index) { dict["state.\(index).\(name)"] = tensor }
        }
        return dict
    }

    /// Replaces all per-parameter state with `dict` (parameters it does not mention start fresh) and
    /// restores the learning rate. Nothing changes if `dict` does not fit this optimizer.
    ///
    /// The learning rate is stored as a Float32 scalar. When it equals the current rate rounded to
    /// Float32, the current (double) rate is kept, so an optimizer created with the same settings
    /// resumes bit-identically. A changed rate comes back as its Float32 rounding; `Trainer.resume` keeps
    /// the exact rate in `trainer.json` instead.
    ///
    /// ```swift
    /// try optimizer.loadStateDict(checkpoint.optimizerState)
    /// ```
    public func loadStateDict(_ dict: [String: Tensor]) throws {
        var entries: [Int: [String: Tensor]] = [:]
        var storedRate: Float?
        for (key, tensor) in dict {
            if key == Self.learningRateKey {
                guard tensor.count == 1, tensor.item.isFinite, tensor.item >= 0 else {
                    throw OptimizerStateError(key: key, "expected one non-negative learning rate, got shape \(tensor.shape)",
                                              hint: "store the learning rate as a scalar tensor")
                }
                storedRate = tensor.item
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
            for name in stateBufferNames { state.buffers[name] = TensorStorage(named[name]!.scalars) }
            newStates[index] = state
        }
        states = newStates
        if let storedRate, storedRate != Float(learningRate) { learningRate = Double(storedRate) }
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
