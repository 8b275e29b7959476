import NablaCore
import NablaBackend

/// Per-layer gradient norms over training on a log scale, with the vanishing and exploding regions
/// shaded, so that a layer whose gradients die out or blow up stands out.
///
/// A norm of exactly zero is drawn at a tenth of the vanishing threshold and an infinite one at ten
/// times the exploding threshold, inside the bands that warn about them; NaN leaves a gap.
///
/// ```swift
/// // norms[epoch][layer], as collected after each epoch
/// let plot = GradientFlowPlot(layerNames: ["fc1.weight", "fc2.weight"],
///                             normsPerEpoch: [[0.8, 0.1], [0.5, 0.02], [0.4, 1e-8]])
/// let svg = plot.svg()
/// ```
public struct GradientFlowPlot: Sendable {
    /// One series per layer; x is usually the epoch.
    public var layers: [LineSeries]
    /// Norms below this are shaded as vanishing.
    public var vanishingThreshold: Double
    /// Norms above this are shaded as exploding.
    public var explodingThreshold: Double
    public var title: String = "Gradient flow"
    public var xLabel: String = "epoch"
    public var yLabel: String = "gradient L2 norm"
    public var width: Double = 640
    public var height: Double = 400

    public init(layers: [LineSeries], vanishingThreshold: Double = 1e-7, explodingThreshold: Double = 1e3) {
        precondition(vanishingThreshold > 0 && explodingThreshold > vanishingThreshold,
                     "GradientFlowPlot: need 0 < vanishing (\(vanishingThreshold)) < exploding (\(explodingThreshold))")
        self.layers = layers
        self.vanishingThreshold = vanishingThreshold
        self.explodingThreshold = explodingThreshold
    }

    /// Builds one series per layer from rows of norms, `normsPerEpoch[epoch][layer]`, epochs numbered from 1.
    public init(layerNames: [String], normsPerEpoch: [[Double]],
                vanishingThreshold: Double = 1e-7, explodingThreshold: Double = 1e3) {
        for (epoch, row) in normsPerEpoch.enumerated() {
            precondition(row.count == layerNames.count,
                         "GradientFlowPlot: epoch \(epoch + 1) has \(row.count) norms for \(layerNames.count) layers")
        }
        let layers = layerNames.indices.map { layer in
            LineSeries(name: layerNames[layer], values: normsPerEpoch.map { $0[layer] })
        }
        self.init(layers: layers, vanishingThreshold: vanishingThreshold, explodingThreshold: explodingThreshold)
    }

    /// The chart as a standalone SVG document.
    public func svg() -> String {
        linePlot().svg()
    }

    /// The underlying line plot, for callers who want to adjust it further.
    public func linePlot() -> LinePlot {
        let floor = vanishingThreshold / 10
        let ceiling = explodingThreshold * 10
        let clamped = layers.map { layer in
            var copy = layer
            copy.y = layer.y.map { $0 == 0 ? floor : ($0 == .infinity ? ceiling : $0) }
            return copy
        }
        var plot = LinePlot(title: title, xLabel: xLabel, yLabel: yLabel, series: clamped,
                            logScaleY: true, width: width, height: height)
        let vanishingColor = RGBColor(hex: 0x3b75af)
        let explodingColor = RGBColor(hex: 0xc0392b)
        plot.bands = [
            ShadedBand(lower: -.infinity, upper: vanishingThreshold, label: "vanishing (< \(NiceNumbers.logLabel(vanishingThreshold)))", color: vanishingColor),
            ShadedBand(lower: explodingThreshold, upper: .infinity, label: "exploding (> \(NiceNumbers.logLabel(explodingThreshold)))", color: explodingColor),
        ]
        plot.referenceLines = [
            ReferenceLine(y: vanishingThreshold, label: "", color: vanishingColor),
            ReferenceLine(y: explodingThreshold, label: "", color: explodingColor),
        ]
        plot.yAxisIncludes = [floor, ceiling]
        return plot
    }
}
