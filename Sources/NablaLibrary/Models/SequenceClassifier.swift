import NablaCore
import NablaBackend

/// Reads each sample as a sequence, runs a batch-first recurrent network over it and classifies the
/// last time step's output: `head(rnn(x)[:, -1])`.
///
/// Images [N, C, H, W] are read row by row, as H steps of C·W features; sequences [N, T, F] are used as
/// they are. State-dict names are `rnn.…` and `head.…`, as in `Tests/Fixtures/model_presets.py`.
///
/// ```swift
/// let model = SequenceClassifier(LSTM(inputSize: 28, hiddenSize: 128), head: Linear(128, 10))
/// let logits = model(images)   // [64, 1, 28, 28] → [64, 10]
/// print(model.namedParameters().map(\.0))
/// // ["rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0", "head.weight", "head.bias"]
/// ```
public final class SequenceClassifier: Module {
    /// Maps [N, T, F] to [N, T, H], such as a batch-first `LSTM` or `GRU`.
    public let rnn: Module
    /// Applied to the last step's output, before `head`, when given.
    public let dropout: Dropout?
    /// Maps [N, H] to the outputs.
    public let head: Module

    /// ```swift
    /// let model = SequenceClassifier(GRU(inputSize: 8, hiddenSize: 32), head: Linear(32, 2), dropout: 0.2)
    /// ```
    /// - Parameter dropout: the probability of dropout on the last step's output; 0 for none.
    public init(_ rnn: Module, head: Module, dropout: Float = 0) {
        if let recurrent = rnn as? RNNBase {
            precondition(recurrent.batchFirst, "SequenceClassifier: the recurrent network must be batch-first")
        }
        self.rnn = rnn
        self.head = head
        self.dropout = dropout > 0 ? Dropout(dropout) : nil
        super.init()
    }

    override public var namedChildren: [(String, Module)] {
        [("rnn", rnn)] + (dropout.map { [("dropout", $0)] } ?? []) + [("head", head)]
    }

    override public var typeName: String { "SequenceClassifier" }

    /// The shape an input is read as: [N, C, H, W] becomes [N, H, C·W]; [N, T, F] stays.
    ///
    /// ```swift
    /// SequenceClassifier.sequenceShape([64, 1, 28, 28])   // [64, 28, 28]
    /// ```
    public static func sequenceShape(_ input: [Int]) -> [Int]? {
        switch input.count {
        case 3: return input
        case 4: return [input[0], input[2], input[1] * input[3]]
        default: return nil
        }
    }

    override public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        guard let sequence = Self.sequenceShape(input) else {
            throw ShapeError("SequenceClassifier: expected input [N, T, F] or [N, C, H, W], got \(input)")
        }
        let steps = try rnn.outputShape(for: sequence)
        guard steps.count == 3 else {
            throw ShapeError("SequenceClassifier: the recurrent network gives \(steps), expected [N, T, H]")
        }
        return try head.outputShape(for: [steps[0], steps[2]])
    }

    override public func forward(_ input: Tensor) -> Tensor {
        var x = input
        if x.rank == 4 {
            let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
            x = (c == 1 ? x : x.permute([0, 2, 1, 3])).reshape([n, h, c * w])
        }
        let last = LastStep.last(of: rnn(x))
        return head(dropout?(last) ?? last)
    }
}

/// The last time step of a batch-first sequence: [N, T, H] → [N, H], as `x[:, -1]` in PyTorch.
/// Model specs put it after an `lstm` layer to classify whole sequences.
///
/// ```swift
/// let model = Sequential { LSTM(inputSize: 8, hiddenSize: 16); LastStep(); Linear(16, 2) }
/// ```
public final class LastStep: Module {
    /// ```swift
    /// let last = LastStep()(sequence)   // [8, 28, 128] → [8, 128]
    /// ```
    override public init() { super.init() }

    override public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        guard input.count == 3, input[1] > 0 else {
            throw ShapeError("LastStep: expected a batch-first sequence [N, T, H], got \(input)")
        }
        return [input[0], input[2]]
    }

    override public func forward(_ input: Tensor) -> Tensor { Self.last(of: input) }

    /// `sequence[:, -1]` for a [N, T, H] sequence.
    static func last(of sequence: Tensor) -> Tensor {
        let (n, t, h) = (sequence.shape[0], sequence.shape[1], sequence.shape[2])
        return sequence.narrow(axis: 1, start: t - 1, length: 1).reshape([n, h])
    }
}
