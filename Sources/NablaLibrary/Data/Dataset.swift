import NablaCore
import NablaBackend

/// A source of samples that gathers a whole batch in one call, as `torch.utils.data.Dataset`
/// with a batched `__getitems__`.
///
/// `batch(_:)` returns one tensor per side whose first axis is the batch, in the order of
/// `indices`. Gathering a batch at once lets an in-memory set copy rows straight into the batch
/// tensor instead of building one tensor per sample and stacking them.
///
/// ```swift
/// let data = TensorDataset(inputs: Tensor([[0, 0], [1, 1], [2, 2]]), targets: Tensor([0, 1, 0]))
/// let (x, y) = data.batch([2, 0])   // x = [[2, 2], [0, 0]], y = [0, 0]
/// ```
public protocol Dataset {
    /// The number of samples.
    var count: Int { get }
    /// The samples at `indices` (each in `0..<count`, repeats allowed), stacked along a new first axis.
    func batch(_ indices: [Int]) -> (inputs: Tensor, targets: Tensor)
    /// Adds the samples to `hash`, so that a checkpoint can tell other data from this. The default
    /// hashes every sample; a set whose samples overlap (text windows) hashes what they are cut from.
    func fingerprint(into hash: inout SHA256)
}

extension Dataset {
    /// The samples in `range`, in order.
    ///
    /// ```swift
    /// let (x, y) = dataset.batch(0..<dataset.count)   // the whole set as two tensors
    /// ```
    public func batch(_ range: Range<Int>) -> (inputs: Tensor, targets: Tensor) { batch(Array(range)) }
}

/// Inputs and targets held in memory, as `torch.utils.data.TensorDataset`. Axis 0 of both
/// tensors indexes the samples; `batch(_:)` copies the chosen rows into fresh tensors in one pass.
///
/// ```swift
/// let data = TensorDataset(inputs: Tensor.zeros([100, 1, 28, 28]), targets: Tensor.zeros([100]))
/// let (x, y) = data.batch([3, 1, 4])   // x: [3, 1, 28, 28], y: [3]
/// ```
public struct TensorDataset: Dataset, Sendable {
    /// The inputs, samples along axis 0 (detached from any graph).
    public let inputs: Tensor
    /// The targets, samples along axis 0 (detached from any graph).
    public let targets: Tensor

    /// Wraps `inputs` and `targets` without copying; both must have the same size along axis 0.
    public init(inputs: Tensor, targets: Tensor) {
        precondition(inputs.rank >= 1 && targets.rank >= 1,
                     "TensorDataset: inputs \(inputs.shape) and targets \(targets.shape) need a sample axis")
        precondition(inputs.shape[0] == targets.shape[0],
                     "TensorDataset: inputs \(inputs.shape) and targets \(targets.shape) hold different sample counts")
        self.inputs = inputs.detached()
        self.targets = targets.detached()
    }

    public var count: Int { inputs.shape[0] }

    public func batch(_ indices: [Int]) -> (inputs: Tensor, targets: Tensor) {
        (Self.gatherRows(inputs, indices), Self.gatherRows(targets, indices))
    }

    /// Copies rows `indices` of `tensor` (rows along axis 0) into a new tensor.
    static func gatherRows(_ tensor: Tensor, _ indices: [Int]) -> Tensor {
        let rows = tensor.shape[0]
        let rowShape = Array(tensor.shape.dropFirst())
        let rowSize = Shape.count(rowShape)
        let out = TensorStorage.uninitialized(count: indices.count * rowSize)
        let source = tensor.storage.pointer
        for (k, row) in indices.enumerated() {
            precondition(row >= 0 && row < rows, "TensorDataset.batch: index \(row) is outside 0..<\(rows)")
            (out.pointer + k * rowSize).initialize(from: source + row * rowSize, count: rowSize)
        }
        return Tensor(shape: [indices.count] + rowShape, storage: out)
    }
}

/// The samples of `base` at `indices`, viewed without copying, as `torch.utils.data.Subset`.
/// A subset of a subset points straight at the innermost dataset.
///
/// ```swift
/// let firstTen = Subset(dataset, indices: Array(0..<10))
/// let (x, y) = firstTen.batch([0, 9])   // samples 0 and 9 of `dataset`
/// ```
public struct Subset: Dataset {
    /// The dataset the indices point into.
    public let base: any Dataset
    /// Sample `i` of the subset is sample `indices[i]` of `base`.
    public let indices: [Int]

    /// A view of `base` at `indices` (each in `0..<base.count`, repeats allowed).
    public init(_ base: any Dataset, indices: [Int]) {
        for i in indices {
            precondition(i >= 0 && i < base.count, "Subset: index \(i) is outside 0..<\(base.count)")
        }
        if let inner = base as? Subset {
            self.base = inner.base
            self.indices = indices.map { inner.indices[$0] }
        } else {
            self.base = base
            self.indices = indices
        }
    }

    public var count: Int { indices.count }

    public func batch(_ batchIndices: [Int]) -> (inputs: Tensor, targets: Tensor) {
        base.batch(batchIndices.map { i in
            precondition(i >= 0 && i < indices.count, "Subset.batch: index \(i) is outside 0..<\(indices.count)")
            return indices[i]
        })
    }
}

/// Splits `dataset` into disjoint random subsets of the given sizes, as `torch.utils.data.random_split`.
/// The sizes must add up to `dataset.count`; the same `seed` gives the same split.
///
/// ```swift
/// let parts = randomSplit(dataset, lengths: [800, 100, 100], seed: 0)   // train, validation, test
/// ```
public func randomSplit(_ dataset: any Dataset, lengths: [Int], seed: UInt64) -> [Subset] {
    precondition(lengths.allSatisfy { $0 >= 0 }, "randomSplit: negative length in \(lengths)")
    precondition(lengths.reduce(0, +) == dataset.count,
                 "randomSplit: lengths \(lengths) add up to \(lengths.reduce(0, +)), not the dataset's \(dataset.count) samples")
    var generator = Generator(seed: seed)
    let order = generator.permutation(dataset.count)
    var start = 0
    return lengths.map { length in
        defer { start += length }
        return Subset(dataset, indices: Array(order[start..<start + length]))
    }
}

/// Splits `dataset` into random subsets holding the given fractions of it (which must add up to 1).
/// As PyTorch, each part gets `floor(fraction · count)` samples and the remainder goes one by one
/// to the parts in order.
///
/// ```swift
/// let parts = randomSplit(dataset, fractions: [0.8, 0.2], seed: 0)
/// ```
public func randomSplit(_ dataset: any Dataset, fractions: [Double], seed: UInt64) -> [Subset] {
    precondition(!fractions.isEmpty && fractions.allSatisfy { $0 >= 0 && $0 <= 1 },
                 "randomSplit: fractions \(fractions) must each lie in [0, 1]")
    precondition(Swift.abs(fractions.reduce(0, +) - 1) < 1e-6, "randomSplit: fractions \(fractions) must add up to 1")
    var lengths = fractions.map { Int((Double(dataset.count) * $0).rounded(.down)) }
    var remainder = dataset.count - lengths.reduce(0, +)
    var part = 0
    while remainder > 0 {
        lengths[part % lengths.count] += 1
        remainder -= 1
        part += 1
    }
    return randomSplit(dataset, lengths: lengths, seed: seed)
}

/// Splits `dataset` into a training part and a validation part holding
/// `round(validationFraction · count)` samples, both random, disjoint and covering the set.
///
/// ```swift
/// let (train, validation) = trainValidationSplit(dataset, validationFraction: 0.1, seed: 42)
/// let loader = DataLoader(train, batchSize: 64, shuffle: true, seed: 42)
/// ```
public func trainValidationSplit(_ dataset: any Dataset, validationFraction: Double,
                                 seed: UInt64) -> (train: Subset, validation: Subset) {
    precondition((0...1).contains(validationFraction),
                 "trainValidationSplit: validationFraction \(validationFraction) must lie in [0, 1]")
    let validation = Int((Double(dataset.count) * validationFraction).rounded())
    let parts = randomSplit(dataset, lengths: [dataset.count - validation, validation], seed: seed)
    return (parts[0], parts[1])
}
