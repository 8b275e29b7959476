import NablaCore
import NablaBackend

/// When training ends: a budget of epochs or steps, a loss that stopped changing, a gradient that
/// became negligible, or a validation metric that stopped improving.
public struct StopCriteria: Sendable, Codable, Equatable {
    /// The total number of epochs (a resumed run continues up to this).
    public var maxEpochs: Int
    /// Stop after this many optimizer steps in total.
    public var maxSteps: Int?
    /// Stop when the epoch's mean training loss changes by less than this from the previous epoch.
    public var minLossChange: Double?
    /// Stop when a step's global gradient norm falls below this.
    public var minGradientNorm: Double?
    /// Early stopping on a validation metric.
    public var earlyStopping: EarlyStopping?

    public init(maxEpochs: Int = Hyperparameters.epochs.defaultValue, maxSteps: Int? = nil, minLossChange: Double? = nil,
                minGradientNorm: Double? = nil, earlyStopping: EarlyStopping? = nil) {
        self.maxEpochs = maxEpochs
        self.maxSteps = maxSteps
        self.minLossChange = minLossChange
        self.minGradientNorm = minGradientNorm
        self.earlyStopping = earlyStopping
    }
}

/// Stops when the monitored validation metric has not improved by `minDelta` for `patience`
/// epochs, and (by default) puts back the best weights seen, as Keras's `EarlyStopping`.
public struct EarlyStopping: Sendable, Codable, Equatable {
    public enum Monitor: String, Sendable, Codable {
        case validationLoss = "val_loss", validationAccuracy = "val_accuracy"
    }

    public var monitor: Monitor
    public var patience: Int
    public var minDelta: Double
    public var restoreBestWeights: Bool

    public init(monitor: Monitor = .validationLoss, patience: Int, minDelta: Double = Hyperparameters.minDelta.defaultValue,
                restoreBestWeights: Bool = true) {
        Hyperparameters.earlyStopPatience.require(patience, in: "EarlyStopping")
        self.monitor = monitor
        self.patience = patience
        self.minDelta = minDelta
        self.restoreBestWeights = restoreBestWeights
    }

    /// The monitored value of `record`, oriented so that smaller is better.
    func score(_ record: EpochRecord) -> Double? {
        switch monitor {
        case .validationLoss: return record.validationLoss
        case .validationAccuracy: return record.validationAccuracy.map { -$0 }
        }
    }
}

/// Early-stopping progress, saved in checkpoints.
package struct EarlyStoppingState: Codable, Equatable {
    var best: Double = .infinity
    var bestEpoch = 0
    var badEpochs = 0
}
