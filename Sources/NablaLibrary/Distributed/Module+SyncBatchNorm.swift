import NablaCore

extension Module {
    /// Makes every `BatchNorm` layer under this module normalize, in training, over the batch that the
    /// processes of `group` hold together, as PyTorch's `SyncBatchNorm.convert_sync_batchnorm`, but in
    /// place: the layers keep their parameters and running statistics. The running statistics then
    /// follow the global mean and unbiased global variance, the same on every rank. Pass nil to undo it.
    /// Returns the number of layers changed; a model without BatchNorm is left as it is (0).
    ///
    /// Do it before wrapping the model in `DistributedDataParallel`, on every rank. In one process (a
    /// group of size 1) the layers compute exactly what plain BatchNorm does.
    ///
    /// ```swift
    /// let group = try ProcessGroup.fromLauncher()!
    /// model.synchronizeBatchNorm(over: group)
    /// let ddp = try DistributedDataParallel(model, group: group)
    /// ```
    @discardableResult
    public func synchronizeBatchNorm(over group: (any CollectiveGroup)?) -> Int {
        let layers = modules().compactMap { $0.1 as? BatchNorm }
        for layer in layers { layer.processGroup = group }
        return layers.count
    }

    /// Whether a layer under this module exchanges values with other processes in its training
    /// forward pass (a synchronised BatchNorm), so that every rank must run it, even on no samples.
    public var hasSynchronizedLayers: Bool {
        modules().contains { (($0.1 as? BatchNorm)?.processGroup?.size ?? 1) > 1 }
    }
}
