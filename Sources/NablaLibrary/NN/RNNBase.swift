import Foundation
import NablaCore
import NablaBackend

/// One recurrent layer's weights: `weightIH` [G·H, in], `weightHH` [G·H, H] and the optional
/// biases [G·H], where G is the number of gates (4 for LSTM, 3 for GRU), stacked in PyTorch's order.
///
/// ```swift
/// let w = LSTM(inputSize: 28, hiddenSize: 128).layers[0]
/// print(w.weightIH.shape)   // [512, 28]
/// ```
public struct RNNLayerWeights: Sendable {
    public let weightIH: Parameter
    public let weightHH: Parameter
    public let biasIH: Parameter?
    public let biasHH: Parameter?

    /// The current values, as the recurrence reads them.
    var tensors: RNNLayerTensors {
        RNNLayerTensors(weightIH: weightIH.value, weightHH: weightHH.value, biasIH: biasIH?.value, biasHH: biasHH?.value)
    }
}

/// One layer's weights as plain tensors, so a test can run the recurrence on tensors of its own.
package struct RNNLayerTensors {
    let weightIH: Tensor, weightHH: Tensor
    let biasIH: Tensor?, biasHH: Tensor?
}

/// What `LSTM` and `GRU` share, as `torch.nn.RNNBase`: sizes, weights named as PyTorch's state
/// dict (`weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`, `bias_hh_l0`, then `_l1`…), input checks
/// and the conversion between the input layout and a list of time steps.
///
/// ```swift
/// let rnn: RNNBase = GRU(inputSize: 8, hiddenSize: 16, numLayers: 2)
/// print(rnn.namedParameters().map(\.0))   // ["weight_ih_l0", "weight_hh_l0", …, "bias_hh_l1"]
/// ```
public class RNNBase: Module, WeightInitializable, @unchecked Sendable {
    public let inputSize: Int, hiddenSize: Int, numLayers: Int
    /// Whether each layer has `bias_ih` and `bias_hh`.
    public let bias: Bool
    /// Inputs and outputs are [N, T, features] when true, [T, N, features] when false.
    public let batchFirst: Bool
    /// The dropout probability applied to every layer's output but the last, in training mode.
    public let dropout: Float
    /// The weights of each layer, bottom first.
    public let layers: [RNNLayerWeights]
    private let kind: String

    init(kind: String, gates: Int, inputSize: Int, hiddenSize: Int, numLayers: Int, bias: Bool, batchFirst: Bool,
         dropout: Float) {
        precondition(inputSize > 0 && hiddenSize > 0 && numLayers > 0,
                     "\(kind): sizes must be positive, got input \(inputSize), hidden \(hiddenSize), layers \(numLayers)")
        precondition(dropout >= 0 && dropout < 1, "\(kind): dropout \(dropout) must be in [0, 1)")
        (self.kind, self.inputSize, self.hiddenSize, self.numLayers) = (kind, inputSize, hiddenSize, numLayers)
        (self.bias, self.batchFirst, self.dropout) = (bias, batchFirst, dropout)
        // PyTorch's default: every weight and bias U(−1/√H, 1/√H), drawn in state-dict order.
        let bound = 1 / Foundation.sqrt(Float(hiddenSize))
        let uniform = Initializer.uniform(low: -bound, high: bound)
        let rows = gates * hiddenSize
        layers = (0..<numLayers).map { layer in
            RNNLayerWeights(weightIH: Parameter(uniform.tensor([rows, layer == 0 ? inputSize : hiddenSize])),
                            weightHH: Parameter(uniform.tensor([rows, hiddenSize])),
                            biasIH: bias ? Parameter(uniform.tensor([rows])) : nil,
                            biasHH: bias ? Parameter(uniform.tensor([rows])) : nil)
        }
        super.init()
    }

    override public var typeName: String {
        "\(kind)(\(inputSize)→\(hiddenSize)\(numLayers > 1 ? ", \(numLayers) layers" : ""))"
    }

    /// `weight_ih_lK`, `weight_hh_lK`, `bias_ih_lK`, `bias_hh_lK` for each layer K, PyTorch's order.
    override public var ownParameters: [(String, Parameter)] {
        layers.enumerated().flatMap { k, w in
            [("weight_ih_l\(k)", w.weightIH), ("weight_hh_l\(k)", w.weightHH)]
                + (w.biasIH.map { [("bias_ih_l\(k)", $0)] } ?? []) + (w.biasHH.map { [("bias_hh_l\(k)", $0)] } ?? [])
        }
    }

    /// [N, T, H] for an input [N, T, inputSize] (or [T, N, …] when not batch-first).
    ///
    /// ```swift
    /// try LSTM(inputSize: 28, hiddenSize: 128).outputShape(for: [64, 28, 10])
    /// // throws "LSTM(28→128): expected input [N, T, 28], got [64, 28, 10]"
    /// ```
    override public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        let layout = batchFirst ? "[N, T, \(inputSize)]" : "[T, N, \(inputSize)]"
        guard input.count == 3, input[2] == inputSize else {
            throw ShapeError("\(typeName): expected input \(layout), got \(input)")
        }
        guard input[0] > 0 && input[1] > 0 else {
            throw ShapeError("\(typeName): input \(input) has no time steps or no batch entries")
        }
        return [input[0], input[1], hiddenSize]
    }

    /// Refills `weight_ih` and `weight_hh` of every layer with `initializer` and zeroes the biases.
    ///
    /// ```swift
    /// lstm.initializeWeights(.xavierUniform)   // calls this with the default generator
    /// ```
    public func reinitialize(weight initializer: Initializer, generator: inout Generator) {
        for w in layers {
            w.weightIH.assign(initializer.tensor(w.weightIH.shape, generator: &generator))
            w.weightHH.assign(initializer.tensor(w.weightHH.shape, generator: &generator))
            w.biasIH?.assign(.zeros(w.biasIH!.shape))
            w.biasHH?.assign(.zeros(w.biasHH!.shape))
        }
    }

    // MARK: - Helpers for the subclasses

    /// The batch size of a valid `input`; a precondition failure names the layer and the shapes otherwise.
    func checkedBatchSize(_ input: Tensor) -> Int {
        do {
            _ = try outputShape(for: input.shape)
        } catch {
            preconditionFailure("\(error)")
        }
        return input.shape[batchFirst ? 0 : 1]
    }

    /// Layer `layer`'s slice [N, H] of an initial state `state` [numLayers, N, H], checked.
    func initialState(_ state: Tensor?, _ name: String, layer: Int, batch: Int) -> Tensor? {
        guard let state else { return nil }
        precondition(state.shape == [numLayers, batch, hiddenSize],
                     "\(typeName): expected initial \(name) [\(numLayers), \(batch), \(hiddenSize)], got \(state.shape)")
        return numLayers == 1 ? state.reshape([batch, hiddenSize]) : state[index: layer]
    }

    /// The input as T tensors [N, features], one per time step.
    func timeSteps(_ input: Tensor) -> [Tensor] {
        let axis = batchFirst ? 1 : 0
        let (steps, rest) = (input.shape[axis], [input.shape[1 - axis], input.shape[2]])
        if steps == 1 { return [input.reshape(rest)] }
        return (0..<steps).map { input.narrow(axis: axis, start: $0, length: 1).reshape(rest) }
    }

    /// The per-step outputs [N, H] joined into the output layout.
    func sequence(_ steps: [Tensor]) -> Tensor {
        Tensor.stack(steps, axis: batchFirst ? 1 : 0)
    }

    /// Each step with a column of ones appended when the layer has biases: [x, 1], the left operand's
    /// part that does not depend on the state.
    func withBiasColumn(_ xs: [Tensor]) -> [Tensor] {
        guard bias, let first = xs.first else { return xs }
        let ones = Tensor.ones([first.shape[0], 1])
        return xs.map { Tensor.cat([$0, ones], axis: 1) }
    }

    /// For each gate in `gates`, its H rows of [W_ih | b | W_hh] (the blocks that are given), so that
    /// one GEMM with [x, 1, h] gives the gate's pre-activation, bias included.
    ///
    /// One GEMM per gate, rather than one for all gates and a `narrow` per gate, spares the backward
    /// pass a zero-padded [N, G·H] gradient per gate and step.
    func gateWeights(_ weightIH: Tensor, _ bias: Tensor?, _ weightHH: Tensor?, gates: Range<Int>) -> [Tensor] {
        var blocks = [weightIH]
        if let bias { blocks.append(bias.reshape([-1, 1])) }
        if let weightHH { blocks.append(weightHH) }
        let all = blocks.count == 1 ? weightIH : Tensor.cat(blocks, axis: 1)
        return gates.map { all.narrow(axis: 0, start: $0 * hiddenSize, length: hiddenSize) }
    }

    /// `operand`·`weights`ᵀ for an operand [x, 1, h], or [x, 1] alone when the state is zero, in which case
    /// only the leading columns of `weights` take part.
    func gateProduct(_ operand: Tensor, _ weights: Tensor) -> Tensor {
        let columns = operand.shape[1]
        let w = columns == weights.shape[1] ? weights : weights.narrow(axis: 1, start: 0, length: columns)
        return operand.matmul(w, transB: true)
    }

    /// The steps passed between layers, with dropout applied in training mode.
    func dropped(_ xs: [Tensor]) -> [Tensor] { xs.map { dropped($0) } }

    /// A layer's output as passed to the next layer, with dropout applied in training mode.
    func dropped(_ x: Tensor) -> Tensor {
        guard isTraining && dropout > 0 else { return x }
        let scale = 1 / (1 - dropout)
        var mask = [Float](repeating: 0, count: x.count)
        Random.with { g in
            for i in mask.indices where g.nextUniform() >= Double(dropout) { mask[i] = scale }
        }
        return x * Tensor(shape: x.shape, scalars: mask)
    }
}
