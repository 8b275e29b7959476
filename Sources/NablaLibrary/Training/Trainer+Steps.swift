import NablaCore
import NablaBackend

extension Trainer {
    /// The optimizer steps of one training period: `evaluationInterval`, or an epoch's batches.
    public var stepsPerPeriod: Int { evaluationInterval ?? train.batchesPerEpoch }

    /// The micro-batches of a batch of `count` samples: `accumulationSteps` contiguous, near-equal
    /// ranges (fewer when the batch is smaller), in order.
    ///
    /// ```swift
    /// trainer.accumulationSteps = 3
    /// trainer.microBatches(count: 10)   // [0..<3, 3..<6, 6..<10]
    /// ```
    public func microBatches(count: Int) -> [Range<Int>] {
        let parts = Swift.max(1, Swift.min(accumulationSteps, count))
        return (0..<parts).map { count * $0 / parts ..< count * ($0 + 1) / parts }
    }

    /// Forward and backward over the micro-batches of one batch, leaving in every parameter's `grad`
    /// the gradient of the whole batch's mean loss: each micro-batch's mean loss is weighted by its
    /// share of the samples, so a short batch weighs right. Returns that loss and the model's outputs.
    ///
    /// The penalty is added once, with the last micro-batch. A micro-step that is not the last
    /// (`isLast == false`) is where a distributed run skips the gradient all-reduce; the gradients are
    /// complete, and may be averaged across processes, only after the last one. A non-finite loss
    /// throws unless `stopOnNonFinite` is false (a distributed run judges it on every rank's sums).
    ///
    /// With `aligned`, the batch is split into exactly `accumulationSteps` parts, some of them empty
    /// when it is short, so that every rank of a distributed run takes as many micro-steps.
    func accumulateGradients(_ x: Tensor, _ y: Tensor, batch: Int, stopOnNonFinite: Bool = true,
                             aligned: Bool = false) throws -> (loss: Double, output: Tensor) {
        let count = x.shape[0], parts = Swift.max(1, accumulationSteps)
        let ranges = aligned ? (0..<parts).map { count * $0 / parts ..< count * ($0 + 1) / parts } : microBatches(count: count)
        optimizer.zeroGrad()
        var total = 0.0
        var outputs: [Tensor] = []
        for (index, range) in ranges.enumerated() {
            let isLast = index == ranges.count - 1
            let whole = ranges.count == 1
            let micro = whole ? (x, y) : (x.narrow(axis: 0, start: range.lowerBound, length: range.count),
                                          y.narrow(axis: 0, start: range.lowerBound, length: range.count))
            let (value, output) = try microStep(micro.0, micro.1, weight: Double(range.count) / Double(x.shape[0]),
                                                isLast: isLast, batch: batch, stopOnNonFinite: stopOnNonFinite)
            total += value
            outputs.append(output)
        }
        return (total, outputs.count == 1 ? outputs[0] : Tensor.cat(outputs.map { $0.detached() }, axis: 0))
    }

    /// One micro-batch: its mean loss times `weight`, back-propagated into the parameters' `grad`.
    /// Returns the weighted loss and the output.
    private func microStep(_ x: Tensor, _ y: Tensor, weight: Double, isLast: Bool, batch: Int,
                           stopOnNonFinite: Bool) throws -> (Double, Tensor) {
        let output = model(x)
        if x.shape[0] == 0 {
            // No samples (a rank's empty share): the passes still run, for the layers that exchange
            // values with the other ranks in both, and add nothing to the gradients.
            output.backward(Tensor.zeros(output.shape))
            return (0, output)
        }
        var objective = loss(output, y)
        let value = Double(objective.item)
        guard value.isFinite || !stopOnNonFinite else { throw TrainingError.nonFiniteLoss(epoch: epoch + 1, step: batch + 1, value: value) }
        if weight != 1 { objective = objective * Float(weight) }
        if isLast, let penalty { objective = objective + penalty(model) }
        objective.backward()
        return (value * weight, output)
    }
}

/// The batches of one training period: `count` batches from position `start`, where position
/// `p` is batch `p % batchesPerEpoch` of data epoch `p / batchesPerEpoch`, crossing epoch
/// boundaries (each data epoch keeps its own shuffle), so that a period of K steps need not align
/// with the data's epochs.
struct PeriodBatches: Sequence, IteratorProtocol {
    let loader: DataLoader
    var position: Int
    var remaining: Int
    private var current: DataLoader.Batches?

    init(loader: DataLoader, start: Int, count: Int) {
        self.loader = loader
        self.position = start
        self.remaining = count
    }

    mutating func next() -> DataLoader.Batch? {
        let perEpoch = Swift.max(loader.batchesPerEpoch, 1)
        guard remaining > 0, loader.batchesPerEpoch > 0 else { return nil }
        if current == nil || position % perEpoch == 0 {
            current = loader.batches(epoch: position / perEpoch, from: position % perEpoch)
        }
        guard let batch = current?.next() else { return nil }
        position += 1
        remaining -= 1
        return batch
    }
}
