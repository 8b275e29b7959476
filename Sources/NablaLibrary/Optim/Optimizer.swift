import NablaCore
import NablaBackend

/// The base class of optimizers, as `torch.optim.Optimizer` with one parameter group.
///
/// A subclass implements `update(_:grad:state:)`, which applies one step to one parameter in place,
/// in a single pass over its raw buffer. `step()` calls it for every parameter that has a gradient
/// (parameters without one are skipped, as in PyTorch) after creating that parameter's state on first
/// use and counting the step.
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
    /// The parameters this optimizer updates; their indices name their state (`state.3.exp_avg`).
    public let parameters: [Parameter]
    /// The learning rate used by the next `step()`; schedulers and callers may change it at any time.
    public var learningRate: Double
    /// Per-parameter state, indexed like `parameters`; `nil` until a parameter's first update.
    var states: [ParameterState?]

    /// Creates an optimizer over `parameters`; a parameter listed twice (a tied weight) is updated once.
    public init(_ parameters: [Parameter], learningRate: Double) {
        Hyperparameters.learningRate.require(learningRate, in: "Optimizer")
        let parameters = parameters.uniqued
        self.parameters = parameters
        self.learningRate = learningRate
        self.states = Array(repeating: nil, count: parameters.count)
    }

    /// The names of the per-parameter buffers, as in PyTorch's `state_dict()` (`exp_avg`, `sum`, …),
    /// for the options this optimizer was created with. Subclasses override this.
    open var stateBufferNames: [String] { [] }

    /// Whether the per-parameter state includes PyTorch's `step` count (SGD's does not).
    open var tracksStep: Bool { true }

    /// Applies one update to `parameter` in place. `state.step` already counts this step.
    /// Subclasses override this; it is called only by `step()`.
    open func update(_ parameter: Parameter, grad: Tensor, state: ParameterState) {
        preconditionFailure("\(type(of: self)): update(_:grad:state:) is not overridden")
    }

    /// Updates every parameter that has a gradient, once.
    ///
    /// ```swift
    /// optimizer.zeroGrad(); loss.backward(); optimizer.step()
    /// ```
    public func step() {
        for (index, parameter) in parameters.enumerated() {
            guard let grad = parameter.grad else { continue }
            precondition(grad.shape == parameter.shape,
                         "\(type(of: self)).step: gradient shape \(grad.shape) differs from parameter \(index) shape \(parameter.shape)")
            let state = states[index] ?? ParameterState()
            states[index] = state
            state.step += 1
            update(parameter, grad: grad, state: state)
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
        let storage = TensorStorage(repeating: initial, count: count)
        buffers[name] = storage
        return storage.pointer
    }

    /// The buffer `name`, created as a copy of `values` on first use; `created` tells which happened.
    public func buffer(_ name: String, copying values: UnsafePointer<Float>, count: Int) -> (UnsafeMutablePointer<Float>, created: Bool) {
        if let storage = buffers[name] { return (storage.pointer, false) }
        let storage = TensorStorage(uninitializedCount: count)
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
