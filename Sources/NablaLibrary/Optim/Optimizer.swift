import NablaCore
import NablaBackend

/// The base class of optimizers, as `torch.optim.Optimizer`, with one or more parameter groups.
///
/// A subclass implements `update(_:grad:state:group:)`, which applies one step to one parameter in
/// place, in a single pass over its raw buffer, with its group's learning rate and weight decay.
/// `step()` calls it for every parameter that has a gradient (parameters without one are skipped, as
/// in PyTorch) after creating that parameter's state on first use and counting the step.
///
/// Hyperparameters are `Double`, as PyTorch's Python floats are: scalars such as Adam's bias
/// corrections are computed in double precision and rounded to `Float` once, exactly where PyTorch
/// rounds them, while the per-element arithmetic is Float32.
///
/// ```swift
/// let model = MLP()
/// let optimizer = Adam(model.parameters, learningRate: 1e-3)
/// for (x, y) in batches {
///     optimizer.zeroGrad()
///     let loss = crossEntropy(model(x), y)
///     loss.backward()
///     optimizer.step()
/// }
/// ```
open class Optimizer: @unchecked Sendable {
    /// The parameters this optimizer updates, group after group; their indices name their state
    /// (`state.3.exp_avg`), as in PyTorch's state dict.
    public let parameters: [Parameter]
    /// The parameter groups (PyTorch's `param_groups`), each with its own rate and weight decay.
    public var groups: [OptimizerGroup]
    /// Per-parameter state, indexed like `parameters`; `nil` until a parameter's first update.
    var states: [ParameterState?]

    /// The learning rate of the first group. Setting it sets every group's rate (schedulers of
    /// one-group optimizers use this; `groups[i].learningRate` sets one group's).
    public var learningRate: Double {
        get { groups[0].learningRate }
        set { for index in groups.indices { groups[index].learningRate = newValue } }
    }

    /// Creates an optimizer over `parameters` in one group; a parameter listed twice (a tied weight) is updated once.
    public convenience init(_ parameters: [Parameter], learningRate: Double, weightDecay: Double = 0) {
        self.init([ParameterGroup(parameters)], learningRate: learningRate, weightDecay: weightDecay)
    }

    /// Creates an optimizer over `groups`; a parameter listed twice within a group (a tied weight) is
    /// updated once, and one in two groups is a programmer error, as in PyTorch. A group's unset learning
    /// rate or weight decay takes `learningRate` or `weightDecay`.
    public init(_ groups: [ParameterGroup], learningRate: Double, weightDecay: Double = 0) {
        precondition(!groups.isEmpty, "Optimizer: no parameter groups")
        let groups = groups.map { group in
            var distinct = group
            distinct.parameters = group.parameters.uniqued
            return distinct
        }
        let parameters = groups.flatMap(\.parameters)
        let ids = Set(parameters.map(ObjectIdentifier.init))
        precondition(ids.count == parameters.count, "Optimizer: a parameter appears in more than one parameter group")
        var resolved: [OptimizerGroup] = [], start = 0
        for group in groups {
            let rate = group.learningRate ?? learningRate, decay = group.weightDecay ?? weightDecay
            Hyperparameters.learningRate.require(rate, in: "Optimizer")
            Hyperparameters.weightDecay.require(decay, in: "Optimizer")
            resolved.append(OptimizerGroup(indices: start..<(start + group.parameters.count), learningRate: rate,
                                           baseLearningRate: rate, weightDecay: decay))
            start += group.parameters.count
        }
        self.parameters = parameters
        self.groups = resolved
        self.states = Array(repeating: nil, count: parameters.count)
    }

    /// The names of the per-parameter buffers, as in PyTorch's `state_dict()` (`exp_avg`, `sum`, …),
    /// for the options this optimizer was created with. Subclasses override this.
    open var stateBufferNames: [String] { [] }

    /// Whether the per-parameter state includes PyTorch's `step` count (SGD's does not).
    open var tracksStep: Bool { true }

    /// Applies one update to `parameter` in place, with `group`'s learning rate and weight decay.
    /// `state.step` already counts this step. Subclasses override this; only `step()` calls it.
    open func update(_ parameter: Parameter, grad: Tensor, state: ParameterState, group: OptimizerGroup) {
        preconditionFailure("\(type(of: self)): update(_:grad:state:group:) is not overridden")
    }

    /// Updates every parameter that has a gradient, once.
    ///
    /// ```swift
    /// optimizer.zeroGrad(); loss.backward(); optimizer.step()
    /// ```
    public func step() {
        for group in groups {
            for index in group.indices {
                let parameter = parameters[index]
                guard let grad = parameter.grad else { continue }
                precondition(grad.shape == parameter.shape,
                             "\(type(of: self)).step: gradient shape \(grad.shape) differs from parameter \(index) shape \(parameter.shape)")
                let state = states[index] ?? ParameterState()
                states[index] = state
                state.step += 1
                update(parameter, grad: grad, state: state, group: group)
            }
        }
    }

    /// Clears every parameter's gradient (PyTorch's default `set_to_none=True`).
    ///
    /// ```swift
    /// optimizer.zeroGrad()   // every parameter.grad is now nil
    /// ```
    public func zeroGrad() {
        for parameter in parameters { parameter.zeroGrad() }
    }

    /// A copy of the state of the parameter at `index`: its buffers by name, plus `step` when tracked;
    /// empty before the parameter's first update.
    ///
    /// ```swift
    /// let m = optimizer.state(at: 0)["exp_avg"]   // Adam's first moment of parameters[0]
    /// ```
    public func state(at index: Int) -> [String: Tensor] {
        guard let state = states[index] else { return [:] }
        var result: [String: Tensor] = [:]
        if tracksStep { result["step"] = Tensor(Float(state.step)) }
        for (name, storage) in state.buffers {
            result[name] = Tensor(shape: parameters[index].shape, scalars: storage.array)
        }
        return result
    }
}

/// One parameter's optimizer state: the number of updates applied and named buffers of the
/// parameter's size (`exp_avg`, `momentum_buffer`, …), which the optimizer updates in place.
/// Subclasses of `Optimizer` receive it in `update(_:grad:state:)`; callers read copies through
/// `state(at:)` or `stateDict()`.
///
/// ```swift
/// override func update(_ parameter: Parameter, grad: Tensor, state: ParameterState) {
///     let velocity = state.buffer("velocity", count: parameter.count)   // zeros on first use
///     // … update velocity[i] and the parameter's values in one pass; state.step is 1 on the first update
/// }
/// ```
public final class ParameterState: @unchecked Sendable {
    /// The number of updates applied to this parameter (PyTorch's `state["step"]`).
    public internal(set) var step = 0
    var buffers: [String: TensorStorage] = [:]

    init() {}

    /// The buffer `name` of `count` elements, created filled with `initial` on first use. The pointer
    /// stays valid while the state exists; list the name in `stateBufferNames` to have it saved.
    public func buffer(_ name: String, count: Int, initial: Float = 0) -> UnsafeMutablePointer<Float> {
        if let storage = buffers[name] { return storage.pointer }
        let storage = TensorStorage.repeating(initial, count: count)
        buffers[name] = storage
        return storage.pointer
    }

    /// The buffer `name`, created as a copy of `values` on first use; `created` tells which happened.
    public func buffer(_ name: String, copying values: UnsafePointer<Float>, count: Int) -> (UnsafeMutablePointer<Float>, created: Bool) {
        if let storage = buffers[name] { return (storage.pointer, false) }
        let storage = TensorStorage.uninitialized(count: count)
        storage.pointer.initialize(from: values, count: count)
        buffers[name] = storage
        return (storage.pointer, true)
    }
}

/// Runs `body` with the gradient (read-only) and the parameter's value (writable) as raw pointers.
@inline(__always)
package func withUpdateBuffers(_ parameter: Parameter, _ grad: Tensor,
                       _ body: (_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ count: Int) -> Void) {
    grad.withUnsafeBufferPointer { g in
        parameter.update { p in body(p.baseAddress!, g.baseAddress!, p.count) }
    }
}
