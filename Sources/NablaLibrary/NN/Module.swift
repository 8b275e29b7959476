import NablaCore
import NablaBackend

/// The base class of layers and models, as `torch.nn.Module`.
///
/// Subclasses store their `Parameter`s, `Buffer`s and child modules as properties; they are found by
/// reflection and named as PyTorch's `state_dict()` would name them (`fc1.weight`, `0.bias`,
/// `layers.2.running_mean`), so no registration code is needed.
///
/// ```swift
/// final class MLP: Module {
///     let fc1 = Linear(784, 128), fc2 = Linear(128, 10)
///     override func forward(_ x: Tensor) -> Tensor { fc2(fc1(x.flatten(startDim: 1)).relu()) }
/// }
/// ```
open class Module {
    /// Training mode (batch statistics, active dropout) versus evaluation mode.
    public private(set) var isTraining = true
    /// The shape of the last output of `callAsFunction`, for summaries.
    public private(set) var lastOutputShape: [Int]?

    public init() {}

    /// The layer's computation. Subclasses override this.
    open func forward(_ input: Tensor) -> Tensor {
        preconditionFailure("\(typeName): forward(_:) is not overridden")
    }

    /// Runs `forward`, after checking the input's shape with `outputShape(for:)`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        do {
            _ = try outputShape(for: input.shape)
        } catch {
            preconditionFailure("\(error)")
        }
        let output = forward(input)
        lastOutputShape = output.shape
        return output
    }

    /// The shape this layer produces for an input of `input`'s shape, or a `ShapeError` naming the
    /// layer and both shapes. Used to validate inputs, build summaries and check model specs before training.
    open func outputShape(for input: [Int]) throws(ShapeError) -> [Int] { input }

    /// A short description used in summaries and messages, e.g. `Linear(784→256)`.
    open var typeName: String { String(describing: type(of: self)) }

    /// The direct children and their names, in declaration order. Override to name them differently.
    open var namedChildren: [(String, Module)] {
        var result: [(String, Module)] = []
        for child in Mirror(reflecting: self).children {
            guard let label = child.label else { continue }
            let name = label.hasPrefix("_") ? String(label.dropFirst()) : label
            if let module = child.value as? Module {
                result.append((name, module))
            } else if let modules = child.value as? [Module] {
                for (i, module) in modules.enumerated() { result.append(("\(name).\(i)", module)) }
            }
        }
        return result
    }

    /// This module's own parameters (not its children's), by reflection.
    open var ownParameters: [(String, Parameter)] { reflected(Parameter.self) }
    /// This module's own buffers, by reflection.
    open var ownBuffers: [(String, Buffer)] { reflected(Buffer.self) }

    private func reflected<T>(_: T.Type) -> [(String, T)] {
        Mirror(reflecting: self).children.compactMap { child in
            guard let label = child.label else { return nil }
            let name = label.hasPrefix("_") ? String(label.dropFirst()) : label
            if let value = child.value as? T { return (name, value) }
            if let optional = child.value as? T?, let value = optional { return (name, value) }
            return nil
        }
    }

    /// Every trainable parameter under this module, with its state-dict name.
    public func namedParameters(prefix: String = "") -> [(String, Parameter)] {
        ownParameters.map { (prefix + $0.0, $0.1) }
            + namedChildren.flatMap { $0.1.namedParameters(prefix: prefix + $0.0 + ".") }
    }

    /// Every buffer under this module, with its state-dict name.
    public func namedBuffers(prefix: String = "") -> [(String, Buffer)] {
        ownBuffers.map { (prefix + $0.0, $0.1) }
            + namedChildren.flatMap { $0.1.namedBuffers(prefix: prefix + $0.0 + ".") }
    }

    /// The trainable parameters, for optimizers: each one once, in `namedParameters()` order, even when
    /// modules share it (a tied embedding and output head), as PyTorch's `parameters()`.
    public var parameters: [Parameter] { namedParameters().map(\.1).uniqued }

    /// The number of trainable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// All modules in this tree, depth first, this one included.
    public func modules(prefix: String = "") -> [(String, Module)] {
        [(prefix, self)] + namedChildren.flatMap { $0.1.modules(prefix: prefix.isEmpty ? $0.0 : prefix + "." + $0.0) }
    }

    /// Switches this module and every child to training mode.
    public func train(_ on: Bool = true) {
        for (_, module) in modules() { module.isTraining = on }
    }

    /// Switches this module and every child to evaluation mode.
    public func eval() { train(false) }

    /// Clears every parameter's gradient.
    public func zeroGrad() { parameters.forEach { $0.zeroGrad() } }
}

/// Marks layers whose parameters are normalization scales and shifts (BatchNorm, LayerNorm), which
/// weight decay and L1/L2 penalties usually leave out.
public protocol NormalizationLayer: Module {}

/// A layer given an input it cannot take, e.g. `Conv2d(3→16): expected input [N, 3, H, W], got [8, 1, 28, 28]`.
public struct ShapeError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
