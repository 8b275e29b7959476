import NablaCore
import NablaBackend

extension LayerKind {
    /// The kinds registered in this file, in the order help lists them.
    static let sequence: [LayerKind] = [.embedding, .lstm, .gru, .lastStep]

    /// `embedding: {count, dim}`: `Embedding(count, dim)`, PyTorch's `num_embeddings` and `embedding_dim`.
    /// The model's input holds indices: each sample is `input: [T]` whole numbers in `0..<count`, and
    /// [N, T] becomes [N, T, dim]. Only the first layer sees the data, so it must come first.
    public static let embedding = LayerKind(
        "embedding", "Embedding", "a table of `count` learned vectors of size `dim`: indices [N, T] → [N, T, dim]",
        parameters: [.int("count", required: "{count: 1000, dim: 32}", "the number of vectors; the input holds indices in 0..<count"),
                     .int("dim", required: "{count: 1000, dim: 32}", "the size of each vector")],
        label: { layer, _, _ in "Embedding \(layer.int("count"))×\(layer.int("dim"))" },
        make: { layer, c throws(ModelSpecError) in
            let (count, dim) = (layer.int("count"), layer.int("dim"))
            guard c.path == "0" else {
                throw c.fail("reads the model's input as indices, so it must be the first layer; move it to the top of `layers`")
            }
            guard c.input.count == 2 else {
                throw c.fail("gets input \(c.shownInput); it needs indices [N, T]; give `input` as [T], the sequence length")
            }
            try c.check(count, in: 1...(1 << 24), "count")
            try c.check(dim, in: 1...(1 << 16), "dim")
            try c.reserve(count * dim)
            return Embedding(count, dim)
        })

    /// `lstm: {hidden, layers, bias}`: a batch-first LSTM, [N, T, F] → [N, T, hidden]; follow it with
    /// `laststep` to classify whole sequences.
    public static let lstm = recurrent("lstm", "LSTM", gates: 4, "a batch-first LSTM, [N, T, F] → [N, T, hidden]") {
        LSTM(inputSize: $0, hiddenSize: $1, numLayers: $2, bias: $3, batchFirst: true)
    }

    /// `gru: {hidden, layers, bias}`: a batch-first GRU, [N, T, F] → [N, T, hidden]; follow it with
    /// `laststep` to classify whole sequences.
    public static let gru = recurrent("gru", "GRU", gates: 3, "a batch-first GRU, [N, T, F] → [N, T, hidden]") {
        GRU(inputSize: $0, hiddenSize: $1, numLayers: $2, bias: $3, batchFirst: true)
    }

    /// A recurrent kind whose layer has `gates` gates: weights `gates·hidden × (F, hidden)` and two
    /// biases of `gates·hidden` per stacked layer, as in PyTorch.
    private static func recurrent(_ name: String, _ displayName: String, gates: Int, _ summary: String,
                                  _ module: @escaping @Sendable (_ input: Int, _ hidden: Int, _ layers: Int, _ bias: Bool) -> Module) -> LayerKind {
        LayerKind(name, displayName, summary + "; follow it with `laststep` for one vector per sequence",
                  parameters: [.int("hidden", required: "128", "the size of the hidden state"),
                               .int("layers", default: 1, "the number of stacked layers"),
                               .bool("bias", default: true, "whether to add learned biases")],
                  label: { layer, input, _ in "\(displayName) \(input.count == 3 ? String(input[2]) : "?")→\(layer.int("hidden"))" },
                  make: { layer, c throws(ModelSpecError) in
                      let (hidden, stacked, bias) = (layer.int("hidden"), layer.int("layers"), layer.bool("bias"))
                      guard c.input.count == 3 else {
                          let hint = c.input.count == 4 ? "; add `flatten: {start: 1, end: 2}` before it to read image rows as time steps" : ""
                          throw c.fail("gets input \(c.shownInput); \(displayName) needs a batch-first sequence [N, T, F]\(hint)")
                      }
                      try c.check(hidden, in: 1...(1 << 14), "hidden")
                      try c.check(stacked, in: 1...16, "layers")
                      let biases = bias ? 2 : 0
                      try c.reserve(gates * hidden * (c.features + hidden + biases) + (stacked - 1) * gates * hidden * (2 * hidden + biases))
                      return module(c.features, hidden, stacked, bias)
                  })
    }

    /// `laststep`: [N, T, H] → [N, H], the last time step.
    public static let lastStep = LayerKind(
        "laststep", "LastStep", "the last time step of a sequence, [N, T, H] → [N, H]",
        make: { _, _ in LastStep() })
}

extension LayerSpec {
    /// `embedding: {count, dim}`: `Embedding(count, dim)` over an input of indices [N, T]; the first layer.
    public static func embedding(count: Int, dim: Int) -> LayerSpec {
        LayerSpec(.embedding, ["count": .int(count), "dim": .int(dim)])
    }

    /// `lstm: {hidden, layers, bias}`: a batch-first LSTM, [N, T, F] → [N, T, hidden].
    public static func lstm(hidden: Int, layers: Int = 1, bias: Bool = true) -> LayerSpec {
        LayerSpec(.lstm, ["hidden": .int(hidden), "layers": .int(layers), "bias": .bool(bias)])
    }

    /// `gru: {hidden, layers, bias}`: a batch-first GRU, [N, T, F] → [N, T, hidden].
    public static func gru(hidden: Int, layers: Int = 1, bias: Bool = true) -> LayerSpec {
        LayerSpec(.gru, ["hidden": .int(hidden), "layers": .int(layers), "bias": .bool(bias)])
    }

    /// `laststep`: [N, T, H] → [N, H], the last time step.
    public static var lastStep: LayerSpec { LayerSpec(.lastStep) }
}
