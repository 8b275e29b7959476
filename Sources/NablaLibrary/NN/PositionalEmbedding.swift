import Foundation
import NablaCore
import NablaBackend

/// Learned absolute positions, as nanoGPT's `wpe` (an `nn.Embedding(block_size, n_embd)`, so the state dict
/// holds `weight` [blockSize, embedDim], initialised N(0, 1) as PyTorch's Embedding): adds row `offset + t`
/// to position t of an input [B, T, embedDim].
///
/// ```swift
/// let positions = LearnedPositionalEmbedding(blockSize: 64, embedDim: 128)
/// let x = positions(tokens)                 // [B, T, 128], T ≤ 64
/// let next = positions(newToken, offset: 10)   // one position after a key/value cache of 10
/// ```
public final class LearnedPositionalEmbedding: Module {
    public let weight: Parameter
    public let blockSize: Int, embedDim: Int

    public init(blockSize: Int, embedDim: Int) {
        precondition(blockSize > 0 && embedDim > 0, "LearnedPositionalEmbedding: sizes must be positive, got \(blockSize), \(embedDim)")
        (self.blockSize, self.embedDim) = (blockSize, embedDim)
        weight = Parameter(Initializer.normal(mean: 0, std: 1).tensor([blockSize, embedDim]))
        super.init()
    }

    override public var typeName: String { "LearnedPositionalEmbedding(\(blockSize), \(embedDim))" }

    override public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        guard input.count == 3, input[2] == embedDim, input[1] <= blockSize else {
            throw ShapeError("\(typeName): expected input [B, T ≤ \(blockSize), \(embedDim)], got \(input)")
        }
        return input
    }

    override public func forward(_ input: Tensor) -> Tensor { self(input, offset: 0) }

    /// `input` [B, T, embedDim] plus the embeddings of positions offset ..< offset + T.
    public func callAsFunction(_ input: Tensor, offset: Int) -> Tensor {
        precondition(input.rank == 3 && input.shape[2] == embedDim,
                     "\(typeName): expected input [B, T, \(embedDim)], got \(input.shape)")
        let length = input.shape[1]
        precondition(offset >= 0 && offset + length <= blockSize,
                     "\(typeName): positions \(offset)..<\(offset + length) exceed the block size \(blockSize)")
        return input + weight.value.narrow(axis: 0, start: offset, length: length)
    }
}

/// The fixed sin/cos positions of "Attention Is All You Need", no parameters: adds
/// PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(p / 10000^(2i/d)) to position p = offset + t of an
/// input [B, T, embedDim].
///
/// ```swift
/// let positions = SinusoidalPositionalEncoding(embedDim: 128)
/// let x = positions(embedded)   // [B, T, 128]
/// ```
public final class SinusoidalPositionalEncoding: Module {
    public let embedDim: Int

    public init(embedDim: Int) {
        precondition(embedDim > 0, "SinusoidalPositionalEncoding: embedDim \(embedDim) must be positive")
        self.embedDim = embedDim
        super.init()
    }

    override public var typeName: String { "SinusoidalPositionalEncoding(\(embedDim))" }

    override public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        guard input.count == 3, input[2] == embedDim else { throw ShapeError("\(typeName): expected input [B, T, \(embedDim)], got \(input)") }
        return input
    }

    override public func forward(_ input: Tensor) -> Tensor { self(input, offset: 0) }

    /// `input` [B, T, embedDim] plus the encodings of positions offset ..< offset + T.
    public func callAsFunction(_ input: Tensor, offset: Int) -> Tensor {
        precondition(input.rank == 3 && input.shape[2] == embedDim, "\(typeName): expected input [B, T, \(embedDim)], got \(input.shape)")
        precondition(offset >= 0, "\(typeName): offset \(offset) must be non-negative")
        return input + Self.table(positions: offset..<(offset + input.shape[1]), embedDim: embedDim)
    }

    /// The encodings [positions.count, embedDim], computed in Double and rounded once.
    public static func table(positions: Range<Int>, embedDim: Int) -> Tensor {
        var values = [Float](repeating: 0, count: positions.count * embedDim)
        for (row, p) in positions.enumerated() {
            for i in stride(from: 0, to: embedDim, by: 2) {
                let angle = Double(p) / Foundation.pow(10000, Double(i) / Double(embedDim))
                values[row * embedDim + i] = Float(Foundation.sin(angle))
                if i + 1 < embedDim { values[row * embedDim + i + 1] = Float(Foundation.cos(angle)) }
            }
        }
        return Tensor(shape: [positions.count, embedDim], scalars: values)
    }
}
