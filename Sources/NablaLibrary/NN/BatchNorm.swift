import NablaCore
import NablaBackend

/// Batch normalization, as `torch.nn.BatchNorm1d`/`BatchNorm2d`.
///
/// Training normalizes with the batch mean and biased variance and updates the running statistics
/// with `momentum` (running = (1 − m)·running + m·batch, the running variance from the unbiased batch
/// variance); evaluation normalizes with the running statistics.
///
/// With a `processGroup` of more than one process, training normalizes with the statistics of the
/// batch all the processes hold together, as PyTorch's `SyncBatchNorm` (see
/// `Functional.synchronizedBatchNorm`); every process must then run the layer the same number of times.
public class BatchNorm: Module, NormalizationLayer {
    public let weight: Parameter?, bias: Parameter?
    public let runningMean: Buffer, runningVar: Buffer, numBatchesTracked: Buffer
    public let numFeatures: Int
    public let eps: Float, momentum: Float
    /// The processes whose joint batch training normalizes over; nil (or a group of one process)
    /// normalizes over this process's batch alone. `Module.synchronizeBatchNorm(over:)` sets it.
    public var processGroup: (any CollectiveGroup)?
    /// The axes averaged over: [0] for [N, C], [0, 2] for [N, C, L], [0, 2, 3] for [N, C, H, W].
    let expectedRanks: [Int]

    init(numFeatures: Int, eps: Float, momentum: Float, affine: Bool, ranks: [Int]) {
        precondition(numFeatures > 0, "BatchNorm: numFeatures must be positive")
        self.numFeatures = numFeatures
        self.eps = eps
        self.momentum = momentum
        self.expectedRanks = ranks
        weight = affine ? Parameter(.ones([numFeatures])) : nil
        bias = affine ? Parameter(.zeros([numFeatures])) : nil
        runningMean = Buffer(.zeros([numFeatures]))
        runningVar = Buffer(.ones([numFeatures]))
        numBatchesTracked = Buffer(.zeros([]))
        super.init()
    }

    override public var ownParameters: [(String, Parameter)] {
        [("weight", weight), ("bias", bias)].compactMap { name, p in p.map { (name, $0) } }
    }

    override public var ownBuffers: [(String, Buffer)] {
        [("running_mean", runningMean), ("running_var", runningVar), ("num_batches_tracked", numBatchesTracked)]
    }

    override public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        guard expectedRanks.contains(input.count), input[1] == numFeatures else {
            let layout = expectedRanks.contains(4) ? "[N, \(numFeatures), H, W]" : "[N, \(numFeatures)] or [N, \(numFeatures), L]"
            throw ShapeError("\(typeName): expected input \(layout), got \(input)")
        }
        return input
    }

    override public var typeName: String { "\(String(describing: type(of: self)))(\(numFeatures))" }

    override public func forward(_ input: Tensor) -> Tensor {
        var statShape = [Int](repeating: 1, count: input.rank)
        statShape[1] = numFeatures
        guard !isTraining else { return trainingForward(input) }
        // (x − mean)/std·weight + bias as one scale and one shift per channel: two passes over x, not four.
        var scale = 1 / (runningVar.value + eps).sqrt()
        if let weight { scale = scale * weight.value }
        var shift = -runningMean.value * scale
        if let bias { shift = shift + bias.value }
        return input * scale.reshape(statShape) + shift.reshape(statShape)
    }

    /// Normalizes with the batch's statistics (over the group's processes when synchronised) and
    /// folds them into the running ones.
    private func trainingForward(_ input: Tensor) -> Tensor {
        let output: Tensor, mean: Tensor, variance: Tensor, n: Int
        if let group = processGroup, group.size > 1 {
            (output, mean, variance, n) = Functional.synchronizedBatchNorm(input, weight: weight?.value, bias: bias?.value, eps: eps,
                                                                           over: group)
        } else {
            n = input.count / numFeatures
            precondition(n > 1, "\(typeName): expected more than 1 value per channel when training, got input \(input.shape)")
            (output, mean, variance) = Functional.batchNorm(input, weight: weight?.value, bias: bias?.value, eps: eps)
        }
        guard n > 0 else { return output }   // no process had a value: nothing to learn the statistics from
        withNoGrad {
            let unbiased = variance * (Float(n) / Float(n - 1))
            runningMean.value = runningMean.value * (1 - momentum) + mean * momentum
            runningVar.value = runningVar.value * (1 - momentum) + unbiased * momentum
            numBatchesTracked.value = numBatchesTracked.value + 1
        }
        return output
    }
}

/// Batch normalization over [N, C] or [N, C, L] input.
///
/// ```swift
/// let bn = BatchNorm1d(128)
/// ```
public final class BatchNorm1d: BatchNorm {
    public init(_ numFeatures: Int, eps: Float = 1e-5, momentum: Float = 0.1, affine: Bool = true) {
        super.init(numFeatures: numFeatures, eps: eps, momentum: momentum, affine: affine, ranks: [2, 3])
    }
}

/// Batch normalization over [N, C, H, W] input.
///
/// ```swift
/// let bn = BatchNorm2d(16)
/// ```
public final class BatchNorm2d: BatchNorm {
    public init(_ numFeatures: Int, eps: Float = 1e-5, momentum: Float = 0.1, affine: Bool = true) {
        super.init(numFeatures: numFeatures, eps: eps, momentum: momentum, affine: affine, ranks: [4])
    }
}
