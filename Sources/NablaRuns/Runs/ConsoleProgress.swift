import Foundation
import NablaLibrary
import NablaCore
import NablaBackend

/// Prints training progress: a live bar per epoch (plain lines when not on a terminal), one summary
/// line per epoch with train and validation loss and accuracy, and warnings.
///
/// ```swift
/// trainer.callbacks = [ConsoleProgress(epochs: 10)]
/// ```
public final class ConsoleProgress: TrainingCallback {
    let epochs: Int
    let output: ProgressBar.Output
    /// Whether losses are shown in bits per character as well (a language model's).
    let bitsPerCharacter: Bool
    var bar: ProgressBar?

    public init(epochs: Int, output: ProgressBar.Output = .standardOutput, bitsPerCharacter: Bool = false) {
        self.epochs = epochs
        self.output = output
        self.bitsPerCharacter = bitsPerCharacter
    }

    public func epochDidBegin(_ epoch: Int, batches: Int) {
        bar = ProgressBar(epoch: epoch, epochs: epochs, steps: batches, output: output)
    }

    public func stepDidEnd(_ step: StepInfo) {
        var metrics: [(String, Double)] = [("loss", step.runningLoss)]
        if bitsPerCharacter { metrics.append(("bpc", NablaLibrary.bitsPerCharacter(step.runningLoss))) }
        if let accuracy = step.runningAccuracy { metrics.append(("acc", accuracy)) }
        bar?.update(step: step.batch + 1, samples: step.samplesSoFar, metrics: metrics)
    }

    public func epochDidEnd(_ record: EpochRecord) {
        bar?.finish()
        bar = nil
        output.write(Self.summaryLine(record, epochs: epochs, bitsPerCharacter: bitsPerCharacter) + "\n")
    }

    public func trainingDidWarn(_ message: String) { output.write("warning: \(message)\n") }

    /// `epoch 3/10: train loss 0.4213 acc 0.8512 | val loss 0.4420 acc 0.8431 | lr 0.001 | 5.2s`, or for
    /// a language model `epoch 3/10: train loss 1.4213 (2.0505 bpc) | val loss 1.5420 (2.2247 bpc) | …`.
    public static func summaryLine(_ r: EpochRecord, epochs: Int, bitsPerCharacter: Bool = false) -> String {
        func bpc(_ loss: Double) -> String { bitsPerCharacter ? String(format: " (%.4f bpc)", NablaLibrary.bitsPerCharacter(loss)) : "" }
        var parts = ["epoch \(r.epoch)/\(epochs): train loss \(String(format: "%.4f", r.trainLoss))\(bpc(r.trainLoss))"]
        if let a = r.trainAccuracy { parts[0] += " acc \(String(format: "%.4f", a))" }
        if let l = r.validationLoss {
            var v = "val loss \(String(format: "%.4f", l))\(bpc(l))"
            if let a = r.validationAccuracy { v += " acc \(String(format: "%.4f", a))" }
            parts.append(v)
        }
        parts.append("lr \(r.learningRate)")
        parts.append(String(format: "%.1fs", r.seconds))
        return parts.joined(separator: " | ")
    }
}
