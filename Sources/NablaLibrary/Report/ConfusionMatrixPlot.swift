import NablaCore
import NablaBackend

/// A confusion-matrix heatmap: rows are the true class, columns the predicted class, each cell shows
/// its count, and its shade is the count's share of the row, so the diagonal reads as per-class recall.
///
/// Long class names are truncated to 20 characters and written at 45° under the columns.
///
/// ```swift
/// let plot = ConfusionMatrixPlot(counts: [[50, 2], [7, 41]], classNames: ["cat", "dog"])
/// let svg = plot.svg()
/// ```
public struct ConfusionMatrixPlot: Sendable {
    /// `counts[trueClass][predictedClass]`.
    public var counts: [[Int]]
    public var classNames: [String]
    public var title: String
    /// The colour of a cell holding its whole row; emptier cells fade to white.
    public var color: RGBColor = Palette.color(at: 0)

    static let maxNameChars = 20

    /// `classNames` defaults to the class indices `0`, `1`, ...
    public init(counts: [[Int]], classNames: [String]? = nil, title: String = "Confusion matrix") {
        let names = classNames ?? counts.indices.map(String.init)
        precondition(names.count == counts.count,
                     "ConfusionMatrixPlot: \(names.count) class names for a \(counts.count)-row matrix")
        for (row, values) in counts.enumerated() {
            precondition(values.count == counts.count,
                         "ConfusionMatrixPlot: row \(row) has \(values.count) columns, expected \(counts.count)")
        }
        self.counts = counts
        self.classNames = names
        self.title = title
    }

    /// The heatmap as a standalone SVG document.
    public func svg() -> String {
        let layout = Layout(plot: self)
        var svg = SVGDocument(width: layout.width, height: layout.height)
        svg.rect(x: 0, y: 0, width: layout.width, height: layout.height, fill: PlotTheme.background, className: "background")
        if !title.isEmpty {
            svg.text(title, x: layout.left + layout.side / 2, y: 25, size: PlotTheme.titleSize,
                     anchor: .middle, bold: true, className: "title")
        }
        drawCells(layout, into: &svg)
        drawRowLabels(layout, into: &svg)
        drawColumnLabels(layout, into: &svg)
        drawColorBar(layout, into: &svg)
        return svg.render()
    }

    /// The colour for a cell holding `fraction` of its row.
    func fill(for fraction: Double) -> RGBColor {
        RGBColor.white.mixed(with: color, fraction: fraction)
    }

    /// The exact count, or thousands such as `24k` when five or more digits would not fit a small cell.
    static func countLabel(_ count: Int, cell: Double) -> String {
        guard cell < 40, abs(count) >= 10_000 else { return String(count) }
        return String(Int((Double(count) / 1000).rounded())) + "k"
    }

    static func shortName(_ name: String) -> String {
        name.count <= maxNameChars ? name : String(name.prefix(maxNameChars - 1)) + "…"
    }

    /// Sizes derived from the class count and the longest name.
    struct Layout {
        let cell: Double
        let side: Double
        let left: Double
        let top = 42.0
        let rotatesColumns: Bool
        let columnLabelHeight: Double
        let countSize: Double
        let width: Double
        let height: Double

        init(plot: ConfusionMatrixPlot) {
            let n = max(plot.counts.count, 1)
            cell = min(max(520 / Double(n), 30), 64)
            side = cell * Double(n)
            let longest = Double(plot.classNames.map { ConfusionMatrixPlot.shortName($0).count }.max() ?? 1)
            left = 34 + longest * PlotTheme.charWidth + 10
            rotatesColumns = longest * PlotTheme.charWidth > cell - 6
            columnLabelHeight = rotatesColumns ? longest * PlotTheme.charWidth * 0.71 + 12 : 22
            let cellSize = cell
            let widest = plot.counts.joined().map { ConfusionMatrixPlot.countLabel($0, cell: cellSize).count }.max() ?? 1
            let digits = Double(widest)
            countSize = min(13, (cell - 6) / max(digits * 0.62, 1.2))
            width = left + side + 96
            height = top + side + columnLabelHeight + 30
        }

        func cellX(_ column: Int) -> Double { left + Double(column) * cell }
        func cellY(_ row: Int) -> Double { top + Double(row) * cell }
    }

    private func drawCells(_ layout: Layout, into svg: inout SVGDocument) {
        svg.beginGroup([("class", "cells")])
        for (row, values) in counts.enumerated() {
            let total = values.reduce(0, +)
            for (column, count) in values.enumerated() {
                let fraction = total > 0 ? Double(count) / Double(total) : 0
                let background = fill(for: fraction)
                let x = layout.cellX(column), y = layout.cellY(row)
                svg.rect(x: x, y: y, width: layout.cell, height: layout.cell, fill: background,
                         stroke: .white, className: "cell")
                let ink = background.luminance < 0.55 ? RGBColor.white : PlotTheme.text
                svg.text(Self.countLabel(count, cell: layout.cell), x: x + layout.cell / 2, y: y + layout.cell / 2 + layout.countSize * 0.35,
                         size: layout.countSize, anchor: .middle, fill: ink, className: "count")
            }
        }
        svg.rect(x: layout.left, y: layout.top, width: layout.side, height: layout.side, fill: nil, stroke: PlotTheme.axis)
        svg.endGroup()
    }

    private func drawRowLabels(_ layout: Layout, into svg: inout SVGDocument) {
        for (row, name) in classNames.enumerated() {
            svg.text(Self.shortName(name), x: layout.left - 6, y: layout.cellY(row) + layout.cell / 2 + 4,
                     anchor: .end, className: "class-label")
        }
        svg.text("true class", x: 16, y: layout.top + layout.side / 2, anchor: .middle,
                 rotation: -90, className: "axis-label")
    }

    private func drawColumnLabels(_ layout: Layout, into svg: inout SVGDocument) {
        let baseline = layout.top + layout.side
        for (column, name) in classNames.enumerated() {
            let x = layout.cellX(column) + layout.cell / 2
            if layout.rotatesColumns {
                svg.text(Self.shortName(name), x: x + 4, y: baseline + 12, anchor: .end,
                         rotation: -45, className: "class-label")
            } else {
                svg.text(Self.shortName(name), x: x, y: baseline + 16, anchor: .middle, className: "class-label")
            }
        }
        svg.text("predicted class", x: layout.left + layout.side / 2, y: baseline + layout.columnLabelHeight + 14,
                 anchor: .middle, className: "axis-label")
    }

    /// A vertical scale from 0 % to 100 % of the row, so shades can be read as recall.
    private func drawColorBar(_ layout: Layout, into svg: inout SVGDocument) {
        let x = layout.left + layout.side + 18
        let steps = 20
        let stepHeight = layout.side / Double(steps)
        svg.beginGroup([("class", "color-bar")])
        for step in 0..<steps {
            let fraction = 1 - (Double(step) + 0.5) / Double(steps)
            svg.rect(x: x, y: layout.top + Double(step) * stepHeight, width: 14, height: stepHeight + 0.5,
                     fill: fill(for: fraction))
        }
        svg.rect(x: x, y: layout.top, width: 14, height: layout.side, fill: nil, stroke: PlotTheme.grid)
        for (fraction, label) in [(1.0, "100%"), (0.5, "50%"), (0.0, "0%")] {
            svg.text(label, x: x + 20, y: layout.top + (1 - fraction) * layout.side + 4,
                     fill: PlotTheme.mutedText, className: "tick")
        }
        svg.text("share of row", x: x - 2, y: layout.top + layout.side + 16, size: 10, fill: PlotTheme.mutedText)
        svg.endGroup()
    }
}
