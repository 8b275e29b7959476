import NablaCore
import NablaBackend

/// Parameters that share a learning rate and a weight decay, as one entry of PyTorch's
/// `param_groups`. A setting left `nil` takes the optimizer's own.
///
/// ```swift
/// let groups = ParameterGroup.decayAndNoDecay(model.parameters, weightDecay: 0.1)   // nanoGPT's split
/// let optimizer = AdamW(groups, learningRate: 1e-3)
/// ```
public struct ParameterGroup: @unchecked Sendable {
    /// The group's parameters, distinct objects not shared with another group.
    public var parameters: [Parameter]
    /// The group's learning rate, or `nil` for the optimizer's.
    public var learningRate: Double?
    /// The group's weight decay, or `nil` for the optimizer's.
    public var weightDecay: Double?

    /// A group of `parameters` with its own learning rate and weight decay where given.
    public init(_ parameters: [Parameter], learningRate: Double? = nil, weightDecay: Double? = nil) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.weightDecay = weightDecay
    }

    /// nanoGPT's split: parameters of rank 2 or more (matrices, embeddings, convolution kernels)
    /// decay by `weightDecay`, the others (biases, normalisation scales and shifts) not at all.
    /// A parameter listed twice (a tied weight) is kept once; an empty group is left out.
    ///
    /// ```swift
    /// let optimizer = AdamW(ParameterGroup.decayAndNoDecay(model.parameters, weightDecay: 0.1))
    /// optimizer.groups.map(\.weightDecay)   // [0.1, 0.0]
    /// ```
    public static func decayAndNoDecay(_ parameters: [Parameter], weightDecay: Double) -> [ParameterGroup] {
        var seen = Set<ObjectIdentifier>()
        let distinct = parameters.filter { seen.insert(ObjectIdentifier($0)).inserted }
        let decay = distinct.filter { $0.shape.count >= 2 }
        let noDecay = distinct.filter { $0.shape.count < 2 }
        return [ParameterGroup(decay, weightDecay: weightDecay), ParameterGroup(noDecay, weightDecay: 0)]
            .filter { !$0.parameters.isEmpty }
    }
}

/// A parameter group as an optimizer holds it: where its parameters sit in `Optimizer.parameters`,
/// and its settings with the optimizer's defaults filled in.
///
/// ```swift
/// optimizer.groups[1].learningRate = 3e-4   // only the second group's rate changes
/// ```
public struct OptimizerGroup: Sendable, Equatable {
    /// The indices of the group's parameters in `Optimizer.parameters` (and in its state dict).
    public let indices: Range<Int>
    /// The rate the next `step()` uses for this group (PyTorch's `lr`).
    public var learningRate: Double
    /// The rate a schedule scales (PyTorch's `initial_lr`): the group's rate when the optimizer was
    /// created, unless changed since, as a resumed run given a new rate does.
    public var baseLearningRate: Double
    /// The group's weight decay (PyTorch's `weight_decay`).
    public let weightDecay: Double
}
