import Foundation
import NablaCore
import NablaBackend

/// One axis of an x-y chart: its data range, scale and ticks.
package struct Axis {
    var lower: Double
    var upper: Double
    var isLog: Bool
    var ticks: [Double]
    var labels: [String]
    /// Unlabelled grid positions, such as the decades skipped between labelled log ticks.
    var minorTicks: [Double] = []

    /// Ticks at round numbers; `tight` keeps the range to the data widened by `padding` (a fraction of
    /// the span) at each end, otherwise it extends to the outermost ticks.
    static func linear(min: Double, max: Double, tight: Bool, integer: Bool, padding: Double = 0) -> Axis {
        let set = NiceNumbers.ticks(min: min, max: max, integer: integer)
        guard tight, max > min else {
            return Axis(lower: set.lower, upper: set.upper, isLog: false, ticks: set.values, labels: set.labels)
        }
        let slack = (max - min) * 1e-9
        let inside = set.values.indices.filter { set.values[$0] >= min - slack && set.values[$0] <= max + slack }
        let pad = (max - min) * padding
        return Axis(
            lower: min - pad, upper: max + pad, isLog: false,
            ticks: inside.map { set.values[$0] }, labels: inside.map { set.labels[$0] })
    }

    static func logarithmic(min: Double, max: Double) -> Axis {
        let domain = NiceNumbers.logDomain(min: min, max: max)
        let ticks = NiceNumbers.logTicks(min: min, max: max)
        let low = Int(log10(domain.lower).rounded()), high = Int(log10(domain.upper).rounded())
        let decades = (low...high).map { pow(10, Double($0)) }
        let minor = decades.filter { decade in !ticks.contains { abs($0 / decade - 1) < 1e-9 } }
        return Axis(lower: domain.lower, upper: domain.upper, isLog: true,
                    ticks: ticks, labels: ticks.map(NiceNumbers.logLabel), minorTicks: minor)
    }

    /// Where `value` falls, 0 at `lower` and 1 at `upper`; nil when it cannot be drawn.
    func fraction(_ value: Double) -> Double? {
        guard value.isFinite else { return nil }
        if isLog {
            guard value > 0 else { return nil }
            return (log10(value) - log10(lower)) / (log10(upper) - log10(lower))
        }
        return upper == lower ? 0.5 : (value - lower) / (upper - lower)
    }
}

/// The drawing rectangle inside the margins, in pixels.
package struct PlotArea {
    var x: Double
    var y: Double
    var width: Double
    var height: Double
    var right: Double { x + width }
    var bottom: Double { y + height }
}

/// A legend row: a short line, filled square or dot in the series' colour, then its label.
package struct LegendEntry {
    enum Marker { case line(dash: String?), swatch, dot }
    var label: String
    var color: RGBColor
    var marker: Marker
}

/// The frame shared by x-y charts: margins sized to the labels, grid, axes, title and legend.
package struct ChartFrame {
    static let legendRow = 18.0
    static let maxLegendChars = 28

    let width: Double
    let height: Double
    let area: PlotArea
    let xAxis: Axis
    let yAxis: Axis
    let title: String
    let xLabel: String
    let yLabel: String
    let legend: [LegendEntry]

    init(width: Double, height: Double, xAxis: Axis, yAxis: Axis,
         title: String, xLabel: String, yLabel: String, legend: [LegendEntry]) {
        self.xAxis = xAxis
        self.yAxis = yAxis
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.legend = legend
        self.width = width
        let legendHeight = Double(legend.count) * Self.legendRow
        let top = title.isEmpty ? 16.0 : 42.0
        let bottom = 30.0 + (xLabel.isEmpty ? 0 : 20)
        self.height = max(height, top + bottom + legendHeight + 8)
        let widestTick = yAxis.labels.map(\.count).max() ?? 1
        let left = 12 + (yLabel.isEmpty ? 0 : 20) + Double(widestTick) * PlotTheme.charWidth + 8
        let right = legend.isEmpty ? 20.0 : 24 + Self.legendWidth(legend)
        area = PlotArea(x: left, y: top, width: max(width - left - right, 40), height: self.height - top - bottom)
    }

    static func legendWidth(_ entries: [LegendEntry]) -> Double {
        let chars = entries.map { min($0.label.count, maxLegendChars) }.max() ?? 0
        return 30 + Double(chars) * PlotTheme.charWidth
    }

    func px(_ x: Double) -> Double? {
        xAxis.fraction(x).map { area.x + $0 * area.width }
    }

    func py(_ y: Double) -> Double? {
        yAxis.fraction(y).map { area.bottom - $0 * area.height }
    }

    /// Clamps a y pixel position to the plot area, for bands that extend past the axis.
    func clampedY(_ y: Double) -> Double {
        if y == .infinity { return area.y }
        if y == -.infinity { return area.bottom }
        guard let position = py(y) else { return area.bottom }
        return min(max(position, area.y), area.bottom)
    }

    /// The white background and grid; draw before the data.
    func drawBackground(into svg: inout SVGDocument) {
        svg.rect(x: 0, y: 0, width: width, height: height, fill: PlotTheme.background, className: "background")
        svg.beginGroup([("class", "grid")])
        for tick in yAxis.minorTicks {
            guard let y = py(tick) else { continue }
            svg.line(x1: area.x, y1: y, x2: area.right, y2: y, stroke: PlotTheme.grid, dash: "2 3")
        }
        for tick in yAxis.ticks {
            guard let y = py(tick) else { continue }
            svg.line(x1: area.x, y1: y, x2: area.right, y2: y, stroke: PlotTheme.grid)
        }
        for tick in xAxis.ticks {
            guard let x = px(tick) else { continue }
            svg.line(x1: x, y1: area.y, x2: x, y2: area.bottom, stroke: PlotTheme.grid)
        }
        svg.endGroup()
    }

    /// Axes, tick labels, title, axis labels and legend; draw after the data so they stay on top.
    func drawForeground(into svg: inout SVGDocument) {
        drawAxes(into: &svg)
        drawTitles(into: &svg)
        drawLegend(into: &svg)
    }

    private func drawAxes(into svg: inout SVGDocument) {
        svg.beginGroup([("class", "axes")])
        svg.line(x1: area.x, y1: area.bottom, x2: area.right, y2: area.bottom, stroke: PlotTheme.axis)
        svg.line(x1: area.x, y1: area.y, x2: area.x, y2: area.bottom, stroke: PlotTheme.axis)
        for (tick, label) in zip(xAxis.ticks, xAxis.labels) {
            guard let x = px(tick) else { continue }
            svg.line(x1: x, y1: area.bottom, x2: x, y2: area.bottom + 4, stroke: PlotTheme.axis)
            svg.text(label, x: x, y: area.bottom + 17, anchor: .middle, fill: PlotTheme.mutedText, className: "tick")
        }
        for (tick, label) in zip(yAxis.ticks, yAxis.labels) {
            guard let y = py(tick) else { continue }
            svg.line(x1: area.x - 4, y1: y, x2: area.x, y2: y, stroke: PlotTheme.axis)
            svg.text(label, x: area.x - 7, y: y + 4, anchor: .end, fill: PlotTheme.mutedText, className: "tick")
        }
        svg.endGroup()
    }

    private func drawTitles(into svg: inout SVGDocument) {
        if !title.isEmpty {
            svg.text(title, x: area.x + area.width / 2, y: 25, size: PlotTheme.titleSize,
                     anchor: .middle, bold: true, className: "title")
        }
        if !xLabel.isEmpty {
            svg.text(xLabel, x: area.x + area.width / 2, y: area.bottom + 38, anchor: .middle, className: "axis-label")
        }
        if !yLabel.isEmpty {
            let y = area.y + area.height / 2
            svg.text(yLabel, x: 16, y: y, anchor: .middle, rotation: -90, className: "axis-label")
        }
    }

    private func drawLegend(into svg: inout SVGDocument) {
        guard !legend.isEmpty else { return }
        svg.beginGroup([("class", "legend")])
        let x = area.right + 16
        for (row, entry) in legend.enumerated() {
            let y = area.y + 8 + Double(row) * Self.legendRow
            switch entry.marker {
            case .line(let dash):
                svg.line(x1: x, y1: y, x2: x + 20, y2: y, stroke: entry.color, strokeWidth: 2.5, dash: dash)
            case .swatch:
                svg.rect(x: x + 4, y: y - 6, width: 12, height: 12, fill: entry.color, stroke: PlotTheme.grid)
            case .dot:
                svg.circle(cx: x + 10, cy: y, r: 4.5, fill: entry.color, stroke: .white)
            }
            svg.text(Self.truncated(entry.label), x: x + 26, y: y + 4, className: "legend-label")
        }
        svg.endGroup()
    }

    static func truncated(_ label: String) -> String {
        label.count <= maxLegendChars ? label : String(label.prefix(maxLegendChars - 1)) + "…"
    }
}
