import NablaCore
import NablaBackend

/// Windows of `blockSize` tokens over a token sequence, as a language model trains on them:
/// sample `i` starts at `i·stride`, its input is tokens[s ..< s+T] and its target the same window
/// shifted by one, tokens[s+1 ..< s+T+1]. Inputs and targets are [B, T] tensors of token indices.
///
/// Stride 1 gives every window (nanoGPT's training draws, sampled at random by a `DataLoader` with
/// `samplesPerEpoch`); stride `blockSize` gives non-overlapping windows, as validation over a
/// held-out tail reads it, each character predicted once.
///
/// ```swift
/// let windows = TextWindows(tokens: [0, 1, 2, 3, 4], blockSize: 2)
/// windows.count            // 3
/// windows.batch([1])       // inputs [[1, 2]], targets [[2, 3]]
/// ```
public struct TextWindows: Dataset, Sendable {
    /// The token sequence, as Float indices.
    public let tokens: [Float]
    /// Tokens per window, the model's block size.
    public let blockSize: Int
    /// Tokens between the starts of consecutive windows.
    public let stride: Int

    /// Windows over `tokens`, which must hold at least `blockSize + 1` tokens (one window and its last target).
    public init(tokens: [Int], blockSize: Int, stride: Int = 1) {
        precondition(blockSize >= 1 && stride >= 1, "TextWindows: blockSize \(blockSize) and stride \(stride) must be positive")
        precondition(tokens.count > blockSize, "TextWindows: \(tokens.count) tokens hold no window of \(blockSize) and its target")
        self.tokens = tokens.map(Float.init)
        self.blockSize = blockSize
        self.stride = stride
    }

    public var count: Int { (tokens.count - 1 - blockSize) / stride + 1 }

    public func batch(_ indices: [Int]) -> (inputs: Tensor, targets: Tensor) {
        let t = blockSize
        let inputs = TensorStorage.uninitialized(count: indices.count * t)
        let targets = TensorStorage.uninitialized(count: indices.count * t)
        tokens.withUnsafeBufferPointer { source in
            for (row, index) in indices.enumerated() {
                precondition(index >= 0 && index < count, "TextWindows.batch: index \(index) is outside 0..<\(count)")
                let start = source.baseAddress! + index * stride
                (inputs.pointer + row * t).initialize(from: start, count: t)
                (targets.pointer + row * t).initialize(from: start + 1, count: t)
            }
        }
        return (Tensor(shape: [indices.count, t], storage: inputs), Tensor(shape: [indices.count, t], storage: targets))
    }

    /// Hashes the tokens and the window layout instead of every window, which would read each token `blockSize` times.
    public func fingerprint(into hash: inout SHA256) {
        let layout = [tokens.count, blockSize, stride].flatMap { n in (0..<8).map { UInt8(truncatingIfNeeded: Int64(n) >> ($0 * 8)) } }
        hash.update(layout)
        tokens.withUnsafeBufferPointer { hash.update(UnsafeRawBufferPointer($0)) }
    }
}

/// Cross-entropy over every position of a language model's `logits` [B, T, V] against the next
/// tokens `targets` [B, T], averaged over all B·T positions, in nats: nanoGPT's
/// `F.cross_entropy(logits.view(-1, V), targets.view(-1))`. Divide by ln 2 for bits per character.
///
/// ```swift
/// let loss = languageModelLoss(model(x), y)
/// ```
public func languageModelLoss(_ logits: Tensor, _ targets: Tensor) -> Tensor {
    precondition(logits.rank == 3 && targets.shape == Array(logits.shape.prefix(2)),
                 "languageModelLoss: logits \(logits.shape) and targets \(targets.shape); expected [B, T, V] and [B, T]")
    let v = logits.shape[2]
    return crossEntropy(logits.reshape([logits.count / v, v]), targets.reshape([targets.count]))
}

/// Bits per character of a loss in nats: nats / ln 2.
///
/// ```swift
/// bitsPerCharacter(1.0)   // 1.4427
/// ```
public func bitsPerCharacter(_ nats: Double) -> Double { nats / 0.693_147_180_559_945_3 }
