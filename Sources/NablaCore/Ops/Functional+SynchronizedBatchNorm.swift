import NablaBackend

extension Functional {
    /// Batch normalization over the batch that the processes of `group` hold together, as PyTorch's
    /// `SyncBatchNorm` in training mode: each process passes its own rows, and every channel is
    /// normalized with the mean and biased variance of all processes' rows. The gradient is that of
    /// one process holding the whole batch, with each process's share weighted by `group.gradientWeight`.
    /// Returns y, the global mean and biased variance per channel ([C], without gradient) and the
    /// number of values per channel over all processes (for the unbiased running variance); when no
    /// process has a value, y is empty everywhere and the statistics are NaN.
    ///
    /// ```swift
    /// let (y, mean, variance, count) = Functional.synchronizedBatchNorm(x, weight: gamma, bias: beta, over: group)
    /// ```
    ///
    /// Design: this is the `batchNorm` primitive with a hook, not a composition of sums and an
    /// all-reduce op. The statistics stay in Double as in the one-process kernel: each process sends
    /// its count, mean and M2 (n·variance) per channel, and every process combines them in rank order
    /// with Chan's parallel formula, one exchange with no cancellation, where summed squares would lose
    /// digits. The gradient (in `Gradients`, beside the plain one) exchanges Σg and Σg·(x − mean) between
    /// the two halves of the backward kernel, as PyTorch's `SyncBatchNorm` does. A composition would
    /// have summed in Float, with several more passes over x and two exchanges each way.
    public static func synchronizedBatchNorm(_ input: Tensor, weight: Tensor? = nil, bias: Tensor? = nil, eps: Float = 1e-5,
                                             over group: any CollectiveGroup)
        -> (output: Tensor, mean: Tensor, variance: Tensor, count: Int) {
        let layout = checkedChannelLayout(input, weight, bias, "synchronizedBatchNorm")
        let c = layout.channels
        let local = localMoments(input, layout)
        let (n, mean, m2) = combinedMoments(group.exchange(local) ?? [local], channels: c)
        // No values anywhere (every process's part of a short batch is empty) leaves nothing to normalize.
        precondition(n != 1, "synchronizedBatchNorm: expected more than 1 value per channel over the group's \(group.size) processes, "
                     + "got 1 (this process's input is \(input.shape))")
        let meanStorage = TensorStorage.uninitialized(count: c), variance = TensorStorage.uninitialized(count: c)
        for i in 0..<c {
            meanStorage.pointer[i] = Float(mean[i])
            variance.pointer[i] = Float(m2[i] / n)
        }
        let synchronization = ChannelSynchronization(group: group, weight: group.gradientWeight, count: n)
        let y = normalized(input, layout, mean: meanStorage, variance: variance, weight: weight, bias: bias, eps: eps,
                           synchronization: synchronization)
        return (y, Tensor(shape: [c], storage: meanStorage, node: nil), Tensor(shape: [c], storage: variance, node: nil), Int(n))
    }

    /// [n, mean_0 … mean_C−1, M2_0 … M2_C−1] of this process's values per channel (all zero without values).
    static func localMoments(_ input: Tensor, _ layout: ChannelLayout) -> [Double] {
        let c = layout.channels, n = layout.perChannel
        var moments = [Double(n)] + [Double](repeating: 0, count: 2 * c)
        guard n > 0 else { return moments }
        let mean = TensorStorage.uninitialized(count: c), variance = TensorStorage.uninitialized(count: c)
        Backends.current.channelStatistics(input.storage.pointer, layout, mean: mean.pointer, variance: variance.pointer)
        for i in 0..<c {
            moments[1 + i] = Double(mean.pointer[i])
            moments[1 + c + i] = Double(variance.pointer[i]) * Double(n)
        }
        return moments
    }

    /// The count, mean and M2 of the union of the parts, added in order (Chan, Golub and LeVeque):
    /// mean += δ·n_b/n, M2 += M2_b + δ²·n_a·n_b/n, with δ = mean_b − mean_a.
    static func combinedMoments(_ parts: [[Double]], channels c: Int) -> (n: Double, mean: [Double], m2: [Double]) {
        var n = 0.0, mean = [Double](repeating: 0, count: c), m2 = [Double](repeating: 0, count: c)
        for part in parts where part[0] > 0 {
            let (na, nb) = (n, part[0])
            n = na + nb
            for i in 0..<c {
                let delta = part[1 + i] - mean[i]
                mean[i] += delta * nb / n
                m2[i] += part[1 + c + i] + delta * delta * na * nb / n
            }
        }
        return (n, mean, m2)
    }
}
