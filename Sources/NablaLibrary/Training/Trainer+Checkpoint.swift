import Foundation
import NablaCore
import NablaBackend

extension Trainer {
    /// Writes the model, optimizer, progress and `checkpointAttachments` to `directory` (created
    /// if needed) as one checkpoint: a new snapshot with its manifest, made current in one rename
    /// (see `CheckpointFolder`).
    ///
    /// - Parameter observe: called at each step of the write; tests stop or fail the writer there.
    /// - Throws: `TrainingError.nonFiniteWeights` naming the first model tensor holding NaN or an
    ///   infinity; nothing is written then, and the previous checkpoint stays the current one.
    public func saveCheckpoint(to directory: URL, observe: (CheckpointFolder.Stage) throws -> Void = { _ in }) throws {
        let weights = model.namedState()
        try checkFinite(weights)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw FileError(path: directory.path, operation: "create", reason: error.localizedDescription)
        }
        var files: [(name: String, data: Data)] = [
            (Checkpoint.modelFile, Safetensors.encode(Dictionary(weights, uniquingKeysWith: { first, _ in first }), metadata: ["format": "pt"])),
            (Checkpoint.optimizerFile, Safetensors.encode(optimizer.stateDict())),
        ]
        if let bestWeights { files.append((Checkpoint.bestFile, Safetensors.encode(bestWeights, metadata: ["format": "pt"]))) }
        files += checkpointAttachments.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        var progress = self.progress
        progress?.gradientSums = flow.partial.sums
        let state = TrainerState(epoch: epoch, globalStep: globalStep, history: history, earlyStopping: earlyStopping,
                                 generator: Random.generator.state, scheduler: scheduler?.stateDict(),
                                 plateau: plateau?.stateDict(), learningRate: optimizer.learningRate,
                                 learningRates: optimizer.groups.map(\.learningRate),
                                 baseLearningRates: optimizer.groups.map(\.baseLearningRate), progress: progress)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        files.append((Checkpoint.trainerFile, try encoder.encode(state)))
        try CheckpointFolder(directory).write(files, epoch: epoch, globalStep: globalStep, dataFingerprint: dataFingerprint,
                                              observe: observe)
    }

    /// Restores everything `saveCheckpoint` wrote, so that `fit()` continues exactly where the saved
    /// run stopped, mid-epoch included: training the remaining steps gives bit-identical parameters
    /// to an uninterrupted run.
    ///
    /// Every file is checked against the checkpoint's manifest, every number of `trainer.json`
    /// against what a run can write, and the training data against the fingerprint the manifest
    /// records, before anything is changed. The learning rate comes from `trainer.json` alone, as
    /// doubles, one per parameter group; they replace the rates the optimizer and the schedule were
    /// created with. A group whose base rate differs from the saved base (a resumed run given a new
    /// rate) continues at the saved rate scaled by new base / saved base, and a `schedule` scales the
    /// new base from then on.
    /// (`optimizer.safetensors` holds a Float32 copy, `param_groups.0.lr`, for other readers.)
    ///
    /// - Throws: `CheckpointError` naming the file (or the data) that does not fit.
    public func resume(from directory: URL) throws {
        let checkpoint = try CheckpointFolder(directory).read()
        try checkData(checkpoint)
        let state = try decodeState(checkpoint)
        guard let generator = Generator(state: state.generator) else {
            throw CheckpointError(path: checkpoint.url(Checkpoint.trainerFile).path,
                                  problem: "generator: not a random generator state" + CheckpointError.damagedHint)
        }
        let weights = try tensors(Checkpoint.modelFile, of: checkpoint)
        var optimizerState = try tensors(Checkpoint.optimizerFile, of: checkpoint)
        let best = checkpoint.contains(Checkpoint.bestFile) ? try tensors(Checkpoint.bestFile, of: checkpoint) : nil
        try model.loadStateDict(weights)
        optimizerState[Optimizer.learningRateKey] = nil
        try optimizer.loadStateDict(optimizerState)
        bestWeights = best
        if let saved = state.scheduler { try scheduler?.loadStateDict(saved) }
        if let saved = state.plateau { try plateau?.loadStateDict(saved) }
        // The one write of the rates on resume: the saved ones, rescaled where the base rate changed.
        for (g, rate) in state.resumedRates(for: optimizer.groups).enumerated() { optimizer.groups[g].learningRate = rate }
        epoch = state.epoch
        globalStep = state.globalStep
        history = state.history
        earlyStopping = state.earlyStopping
        progress = state.progress
        flow.partial = state.progress.map { ($0.gradientSums, $0.batch) } ?? (Array(repeating: 0, count: flow.layers.count), 0)
        Random.generator = generator
    }

    /// Throws for the first tensor, in model order, that holds a NaN or an infinity.
    private func checkFinite(_ weights: [(String, Tensor)]) throws {
        for (name, tensor) in weights {
            guard let bad = tensor.withUnsafeBufferPointer({ $0.first { !$0.isFinite } }) else { continue }
            // An interrupted epoch is still under way: it is the one after the completed `epoch`.
            throw TrainingError.nonFiniteWeights(parameter: name, value: bad, epoch: progress == nil ? epoch : epoch + 1, step: globalStep)
        }
    }

    /// Refuses a checkpoint trained on other data than this trainer's.
    private func checkData(_ checkpoint: CheckpointContents) throws {
        guard let saved = checkpoint.manifest.dataFingerprint, let current = dataFingerprint, saved != current else { return }
        throw CheckpointError(path: checkpoint.location.deletingLastPathComponent().path, problem: """
            the training data differs from the data this checkpoint was trained on (SHA-256 \(current.prefix(12))…, \
            not \(saved.prefix(12))…); resume with the same data and validation split, or start a new run
            """)
    }

    private func decodeState(_ checkpoint: CheckpointContents) throws -> TrainerState {
        let path = checkpoint.url(Checkpoint.trainerFile).path
        let state: TrainerState
        do {
            let decoder = JSONDecoder()
            decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            state = try decoder.decode(TrainerState.self, from: checkpoint.data(Checkpoint.trainerFile))
        } catch let error as CheckpointError {
            throw error
        } catch {
            throw CheckpointError(path: path, problem: "not a valid trainer state (\(CheckpointError.brief(error)))" + CheckpointError.damagedHint)
        }
        try state.validate(for: self, path: path)
        return state
    }

    private func tensors(_ name: String, of checkpoint: CheckpointContents) throws -> [String: Tensor] {
        try Safetensors.read(data: checkpoint.data(name), name: checkpoint.url(name).path).tensors
    }
}
