import NablaCore
import NablaBackend

/// How many samples make one batch: a fixed number, or the whole dataset.
///
/// An integer literal is a fixed size, so `batchSize: 32` and `batchSize: .all` both read naturally.
///
/// ```swift
/// let full = DataLoader(dataset, batchSize: .all)   // batch gradient descent
/// ```
public enum BatchSize: Equatable, Sendable, ExpressibleByIntegerLiteral {
    /// Every sample in one batch.
    case all
    /// This many samples per batch (the last batch of an epoch may be smaller).
    case fixed(Int)

    public init(integerLiteral value: Int) { self = .fixed(value) }

    /// The number of samples per batch for a dataset of `count` samples.
    public func resolved(count: Int) -> Int {
        switch self {
        case .all: return Swift.max(count, 1)
        case .fixed(let size): return size
        }
    }
}

/// Iterates over a dataset in batches, as `torch.utils.data.DataLoader`.
///
/// The batch size picks the flavour of gradient descent that a training loop runs with it:
/// - `batchSize: 1` is stochastic gradient descent: one update per sample, `count` updates per epoch.
/// - `batchSize: n` is mini-batch gradient descent: ⌈count / n⌉ updates per epoch
///   (⌊count / n⌋ with `dropLast`, which skips the short final batch).
/// - `batchSize: .all` is (full) batch gradient descent: one update per epoch on the exact gradient.
///
/// With `shuffle`, epoch `e` visits the samples in a permutation derived only from `(seed, e)`, so a
/// resumed run that sets `epoch = e` sees exactly the batches of the original epoch `e`. Each pass
/// (each `for … in loader`) uses the current `epoch` and then advances it by one, so consecutive
/// passes differ, as PyTorch reshuffles at every `iter(loader)`. Only index permutations are built
/// per epoch; the data is copied batch by batch by `Dataset.batch(_:)`.
///
/// Each batch's inputs go through `augmentation` (fed a generator derived from `(seed, epoch, batch)`,
/// so augmented epochs are reproducible too) and then through `transform`. Targets are unchanged.
///
/// ```swift
/// let loader = DataLoader(train, batchSize: 64, shuffle: true, seed: 7,
///                         augmentation: RandomHorizontalFlip(), transform: { ($0 - 0.5) / 0.25 })
/// for epoch in 0..<10 {
///     loader.epoch = epoch                  // optional: passes advance it anyway
///     for (x, y) in loader { /* forward, loss, backward, step */ }
/// }
/// ```
public final class DataLoader: Sequence {
    /// One batch: inputs and targets with the batch along axis 0.
    public typealias Batch = (inputs: Tensor, targets: Tensor)

    /// The dataset the batches are drawn from.
    public let dataset: any Dataset
    /// Samples per batch (the final batch of an epoch may be smaller unless `dropLast`).
    public let batchSize: Int
    /// Whether each epoch visits the samples in a fresh seeded permutation.
    public let shuffle: Bool
    /// Whether to skip the final batch of an epoch when it is smaller than `batchSize`.
    public let dropLast: Bool
    /// The fewest samples a final, short batch may have to be kept; for a model with batch
    /// normalisation, whose statistics need more than one sample, 2 per micro-batch and per process.
    public var minLastBatch: Int {
        didSet { precondition(minLastBatch >= 1, "DataLoader: minLastBatch \(minLastBatch) must be at least 1") }
    }
    /// The seed that, with the epoch, fixes the sample order and the augmentation draws.
    public let seed: UInt64
    /// A random augmentation applied to each batch's inputs, before `transform`.
    public let augmentation: (any Augmentation)?
    /// A deterministic function applied to each batch's inputs (normalization, reshaping).
    public let transform: ((Tensor) -> Tensor)?
    /// The epoch the next pass will run; each pass advances it by one. Set it to resume or replay.
    public var epoch: Int
    /// When set, each batch holds only this rank's slice of the global batch (`batchSize` samples
    /// over all ranks), and augmentation draws from a stream of its own per rank.
    public var shard: DataShard?
    /// When set, an epoch is this many samples drawn uniformly with replacement, seeded by `(seed,
    /// epoch)`, as `RandomSampler(replacement=True, num_samples=n)`: for data with no natural epoch,
    /// such as the random windows of a text.
    public let samplesPerEpoch: Int?

    /// A loader yielding batches of `batchSize` samples.
    ///
    /// ```swift
    /// let loader = DataLoader(dataset, batchSize: 32, shuffle: true, seed: 0)
    /// ```
    public convenience init(_ dataset: any Dataset, batchSize: Int, shuffle: Bool = false, dropLast: Bool = false,
                            minLastBatch: Int = 1, seed: UInt64 = 0, augmentation: (any Augmentation)? = nil,
                            transform: ((Tensor) -> Tensor)? = nil, samplesPerEpoch: Int? = nil) {
        self.init(dataset, batchSize: .fixed(batchSize), shuffle: shuffle, dropLast: dropLast, minLastBatch: minLastBatch,
                  seed: seed, augmentation: augmentation, transform: transform, samplesPerEpoch: samplesPerEpoch)
    }

    /// A loader yielding batches of a `BatchSize` (`.all` for full-batch gradient descent).
    ///
    /// ```swift
    /// let loader = DataLoader(dataset, batchSize: .all)   // one batch per epoch
    /// ```
    public init(_ dataset: any Dataset, batchSize: BatchSize, shuffle: Bool = false, dropLast: Bool = false,
                minLastBatch: Int = 1, seed: UInt64 = 0, augmentation: (any Augmentation)? = nil,
                transform: ((Tensor) -> Tensor)? = nil, samplesPerEpoch: Int? = nil) {
        let size = batchSize.resolved(count: samplesPerEpoch ?? dataset.count)
        precondition(size >= 1, "DataLoader: batch size \(size) must be at least 1")
        precondition(samplesPerEpoch.map { $0 >= 1 && dataset.count >= 1 } ?? true,
                     "DataLoader: samplesPerEpoch \(samplesPerEpoch ?? 0) needs a positive count and a non-empty dataset")
        self.samplesPerEpoch = samplesPerEpoch
        precondition(minLastBatch >= 1, "DataLoader: minLastBatch \(minLastBatch) must be at least 1")
        self.minLastBatch = minLastBatch
        self.dataset = dataset
        self.batchSize = size
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.seed = seed
        self.augmentation = augmentation
        self.transform = transform
        self.epoch = 0
    }

    /// The number of batches in one epoch.
    public var batchesPerEpoch: Int {
        let samples = samplesPerEpoch ?? dataset.count
        let full = samples / batchSize, rest = samples % batchSize
        return full + (!dropLast && rest >= minLastBatch ? 1 : 0)
    }

    /// The order in which epoch `epoch` visits the samples: `0..<count`, or a permutation of it
    /// that depends only on `(seed, epoch)` when shuffling, or `samplesPerEpoch` draws with
    /// replacement that depend only on `(seed, epoch)`.
    ///
    /// ```swift
    /// loader.order(epoch: 3) == loader.order(epoch: 3)   // always true
    /// ```
    public func order(epoch: Int) -> [Int] {
        if let samplesPerEpoch {
            var generator = SeedMixer.generator(seed, epoch)
            return (0..<samplesPerEpoch).map { _ in generator.nextInt(below: dataset.count) }
        }
        guard shuffle else { return Array(0..<dataset.count) }
        var generator = SeedMixer.generator(seed, epoch)
        return generator.permutation(dataset.count)
    }

    /// The batches of epoch `epoch`, without touching `epoch`.
    ///
    /// ```swift
    /// let replay = Array(loader.batches(epoch: 5))   // the batches epoch 5 saw
    /// ```
    public func batches(epoch: Int) -> Batches { Batches(loader: self, epoch: epoch) }

    /// The batches of epoch `epoch` from batch `start` on (the first `start` are skipped unbuilt),
    /// as a run interrupted mid-epoch resumes.
    ///
    /// ```swift
    /// Array(loader.batches(epoch: 5, from: 2)).count == loader.batchesPerEpoch - 2   // true
    /// ```
    public func batches(epoch: Int, from start: Int) -> Batches {
        var batches = Batches(loader: self, epoch: epoch)
        batches.index = Swift.min(Swift.max(start, 0), batchesPerEpoch)
        return batches
    }

    /// The batches of the current `epoch`; advances `epoch` by one.
    public func makeIterator() -> Batches {
        defer { epoch += 1 }
        return batches(epoch: epoch)
    }

    public var underestimatedCount: Int { batchesPerEpoch }

    /// The batches of one epoch, in order.
    ///
    /// ```swift
    /// for (x, y) in loader.batches(epoch: 0) { print(x.shape, y.shape) }
    /// ```
    public struct Batches: Sequence, IteratorProtocol {
        let loader: DataLoader
        /// The epoch these batches belong to.
        public let epoch: Int
        let order: [Int]
        var index = 0

        init(loader: DataLoader, epoch: Int) {
            self.loader = loader
            self.epoch = epoch
            self.order = loader.order(epoch: epoch)
        }

        public var underestimatedCount: Int { loader.batchesPerEpoch - index }

        public mutating func next() -> Batch? {
            guard index < loader.batchesPerEpoch else { return nil }
            defer { index += 1 }
            let start = index * loader.batchSize
            let end = Swift.min(start + loader.batchSize, order.count)
            let rows = loader.shard?.slice(of: start..<end) ?? start..<end
            var (inputs, targets) = loader.dataset.batch(Array(order[rows]))
            guard !rows.isEmpty else { return (inputs, targets) }   // a rank with no share of a short batch
            if let augmentation = loader.augmentation {
                let rankSeed = loader.seed ^ SeedMixer.augmentationStream ^ UInt64(loader.shard?.rank ?? 0) &* SeedMixer.rankStream
                let stream = SeedMixer.mix(rankSeed, UInt64(bitPattern: Int64(epoch)))
                var generator = SeedMixer.generator(stream, index)
                inputs = augmentation.apply(inputs, generator: &generator)
            }
            if let transform = loader.transform { inputs = transform(inputs) }
            return (inputs, targets)
        }
    }
}

/// Derives independent seeds from a seed and a counter (an epoch, a batch index).
package enum SeedMixer {
    /// Separates the augmentation draws from the shuffling draws of the same seed.
    static let augmentationStream: UInt64 = 0xA076_1D64_78BD_642F
    /// Separates the streams of the ranks of a distributed run (rank 0's is the single process's).
    static let rankStream: UInt64 = 0xE703_7ED1_A0B4_28DB

    /// A generator for counter value `index` of the stream `seed`.
    static func generator(_ seed: UInt64, _ index: Int) -> Generator {
        Generator(seed: mix(seed, UInt64(bitPattern: Int64(index))))
    }

    /// A SplitMix64 finalizer of `a` combined with the finalized `b`; distinct pairs give unrelated seeds.
    static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 { finalize(a ^ finalize(b &+ 0x9E37_79B9_7F4A_7C15)) }

    private static func finalize(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
