/// Floating-point operations per training step of the step workloads, for the fraction of the machine's
/// matrix-product rate that `nabla bench` reports. Counted as 2 per multiply–add of each matrix product,
/// convolution and attention product, forward plus backward: the backward pass computes the weight
/// gradient of every layer and the input gradient of every layer except the first, whose input (the
/// data) needs none. Elementwise work, reductions and the optimizer are not counted. Benchmarks/README.md
/// gives the sums.
///
/// ```swift
/// WorkloadFlops.mlpStep / 1e9   // 0.129 GFLOP per step
/// ```
public enum WorkloadFlops {
    /// Multiply–adds of a stack of dense layers of these widths on `batch` rows: (forward, input gradients
    /// of every layer but the first).
    static func dense(batch: Int, _ widths: [Int]) -> (forward: Double, inputGradients: Double) {
        let layers = zip(widths, widths.dropFirst()).map { Double(batch * $0 * $1) }
        return (layers.reduce(0, +), layers.dropFirst().reduce(0, +))
    }

    /// Total flops of a step whose forward products take `forward` multiply–adds, of which `weighted`
    /// have weights (and so a weight gradient of the same size), with `inputGradients` multiply–adds of
    /// input gradients and `unweighted` backward multiply–adds of products without weights.
    static func step(forward: Double, weighted: Double, inputGradients: Double, unweighted: Double = 0) -> Double {
        2 * (forward + weighted + inputGradients + unweighted)
    }

    /// `mlp_step_ms_b128`: 784-256-128-10, batch 128.
    public static let mlpStep: Double = {
        let (forward, inputs) = dense(batch: 128, [784, 256, 128, 10])
        return step(forward: forward, weighted: forward, inputGradients: inputs)
    }()

    /// `cnn_step_ms_b64`: two 3×3 convolutions (1→16 on 28×28, 16→32 on 14×14), then 1568-128-10, batch 64.
    public static let cnnStep: Double = {
        let batch = 64.0
        let conv1 = batch * 16 * 28 * 28 * (1 * 9)
        let conv2 = batch * 32 * 14 * 14 * (16 * 9)
        let head = dense(batch: 64, [1568, 128, 10]).forward
        let forward = conv1 + conv2 + head
        // Input gradients: every layer's but the first convolution's, whose input is the data.
        return step(forward: forward, weighted: forward, inputGradients: conv2 + head)
    }()

    /// `lstm_step_ms_b64`: an LSTM of 28 inputs and 128 hidden over 28 steps, then 128-10, batch 64.
    public static let lstmStep: Double = {
        let (batch, steps, inputs, hidden) = (64.0, 28.0, 28.0, 128.0)
        let inputProducts = batch * steps * inputs * 4 * hidden
        let recurrentProducts = batch * steps * hidden * 4 * hidden
        let head = batch * hidden * 10
        let forward = inputProducts + recurrentProducts + head
        // Input gradients: the recurrent state's through W_hh at every step, and the head's input.
        return step(forward: forward, weighted: forward, inputGradients: recurrentProducts + head)
    }()

    /// `gpt_step_ms`: 4 pre-norm blocks of embed 128 and 4 heads over 12 windows of 64 tokens, a tied head
    /// over 113 characters. Attention's two products are counted in full (causal masking skips none of
    /// them in the kernels); their backward takes two products each.
    public static let gptStep: Double = {
        let (layers, tokens, embed, block, vocabulary) = (4.0, 12.0 * 64, 128.0, 64.0, 113.0)
        let linear = layers * tokens * embed * (3 * embed + embed + 4 * embed + 4 * embed) + tokens * embed * vocabulary
        let attention = layers * 2 * tokens * block * embed   // scores Q·Kᵀ and weights·V, all heads together
        // Every linear layer's input needs a gradient: the first block's comes from the trainable embeddings.
        return step(forward: linear + attention, weighted: linear, inputGradients: linear, unweighted: 2 * attention)
    }()
}
