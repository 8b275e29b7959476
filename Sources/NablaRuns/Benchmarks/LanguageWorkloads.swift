import NablaLibrary
import NablaCore
import NablaBackend

extension TrainingWorkloads {
    /// One training step of the fortunes recipe's model: `GPT` with 4 layers, 4 heads, embed 128,
    /// block 64, a vocabulary of 113, batch 12 of random tokens; cross-entropy over every position,
    /// AdamW(1e-3, β2 0.99, weight decay 0.1). Milliseconds, the median of `repeats`.
    public static func gptStepMilliseconds(repeats: Int = 20) -> Double {
        Random.seed(0)
        let (vocabulary, batch, block) = (113, 12, 64)
        let model = GPT(GPTConfiguration(vocabularySize: vocabulary, blockSize: block, layers: 4, heads: 4, embed: 128))
        let optimizer = AdamW(model.parameters, learningRate: 1e-3, betas: (0.9, 0.99), weightDecay: 0.1)
        var g = Generator(seed: 98)
        let x = Tensor((0..<batch * block).map { _ in Float(g.nextInt(below: vocabulary)) }).reshape([batch, block])
        let y = Tensor((0..<batch * block).map { _ in Float(g.nextInt(below: vocabulary)) }).reshape([batch, block])
        return Timing.median(repeats: repeats, warmup: 3) {
            optimizer.zeroGrad()
            languageModelLoss(model(x), y).backward()
            optimizer.step()
        } * 1e3
    }
}
