import NablaCore
import NablaBackend

/// A data point of a 2-D classification set.
public struct LabeledPoint: Sendable, Equatable {
    public var x: Double
    public var y: Double
    public var label: Int

    public init(x: Double, y: Double, label: Int) {
        self.x = x
        self.y = y
        self.label = label
    }
}

/// The decision regions of a 2-D classifier: a grid of predictions drawn as light cells in each
/// class's colour, with the data points on top in the same colours, darker.
///
/// The grid covers the ranges exactly: `grid[row][column]` spans x from `xRange.lowerBound + column·dx`
/// and y from `yRange.lowerBound + row·dy`, so row 0 is the bottom. Predict at `cellCenters(...)`.
///
/// ```swift
/// let centers = DecisionBoundaryPlot.cellCenters(xRange: -2...2, yRange: -2...2, columns: 80, rows: 80)
/// let predicted: [Int] = centers.map { $0.x * $0.y > 0 ? 1 : 0 }   // from the model, row by row
/// let grid = (0..<80).map { Array(predicted[($0 * 80)..<($0 * 80 + 80)]) }
/// let plot = DecisionBoundaryPlot(xRange: -2...2, yRange: -2...2, predictedClasses: grid, points: data)
/// ```
public struct DecisionBoundaryPlot: Sendable {
    public var xRange: ClosedRange<Double>
    public var yRange: ClosedRange<Double>
    public var points: [LabeledPoint]
    public var classNames: [String]
    public var title: String = "Decision boundary"
    public var xLabel: String = "x₁"
    public var yLabel: String = "x₂"
    public var width: Double = 560
    public var height: Double = 460
    /// The colour of each cell, `[row][column]`, already worked out from classes or probabilities.
    private var cellColors: [[RGBColor]]

    /// Cells coloured by predicted class index.
    public init(xRange: ClosedRange<Double>, yRange: ClosedRange<Double>, predictedClasses: [[Int]],
                points: [LabeledPoint], classNames: [String]? = nil) {
        let classes = Self.classCount(points: points, names: classNames, gridMax: predictedClasses.joined().max())
        self.init(xRange: xRange, yRange: yRange, points: points, classNames: classNames, classes: classes,
                  colors: predictedClasses.map { $0.map { Self.regionColor(class: $0, confidence: 1, classes: classes) } })
    }

    /// Cells coloured by the most probable class, fading towards white where the model is unsure.
    /// `probabilities[row][column]` holds one probability per class.
    public init(xRange: ClosedRange<Double>, yRange: ClosedRange<Double>, probabilities: [[[Double]]],
                points: [LabeledPoint], classNames: [String]? = nil) {
        let width = probabilities.first?.first?.count ?? 1
        let classes = Self.classCount(points: points, names: classNames, gridMax: width - 1)
        let colors = probabilities.map { row in
            row.map { p in
                var best = 0
                for k in p.indices where p[k] > p[best] { best = k }
                return Self.regionColor(class: best, confidence: p.isEmpty ? 0 : p[best], classes: max(p.count, 2))
            }
        }
        self.init(xRange: xRange, yRange: yRange, points: points, classNames: classNames, classes: classes, colors: colors)
    }

    private init(xRange: ClosedRange<Double>, yRange: ClosedRange<Double>, points: [LabeledPoint],
                 classNames: [String]?, classes: Int, colors: [[RGBColor]]) {
        precondition(xRange.upperBound > xRange.lowerBound && yRange.upperBound > yRange.lowerBound,
                     "DecisionBoundaryPlot: empty range \(xRange) × \(yRange)")
        precondition(Set(colors.map(\.count)).count <= 1, "DecisionBoundaryPlot: grid rows differ in length")
        self.xRange = xRange
        self.yRange = yRange
        self.points = points
        self.classNames = classNames ?? (0..<classes).map { "class \($0)" }
        self.cellColors = colors
    }

    /// The centres of a `columns × rows` grid over the ranges, row by row from the bottom, each row
    /// from left to right: the inputs to predict for the grid this plot expects.
    public static func cellCenters(xRange: ClosedRange<Double>, yRange: ClosedRange<Double>,
                                   columns: Int, rows: Int) -> [(x: Double, y: Double)] {
        let dx = (xRange.upperBound - xRange.lowerBound) / Double(columns)
        let dy = (yRange.upperBound - yRange.lowerBound) / Double(rows)
        var centers: [(x: Double, y: Double)] = []
        centers.reserveCapacity(max(rows * columns, 0))
        for row in 0..<rows {
            let y = yRange.lowerBound + (Double(row) + 0.5) * dy
            for column in 0..<columns {
                centers.append((x: xRange.lowerBound + (Double(column) + 0.5) * dx, y: y))
            }
        }
        return centers
    }

    /// The plot as a standalone SVG document.
    public func svg() -> String {
        let frame = makeFrame()
        var svg = SVGDocument(width: frame.width, height: frame.height)
        svg.rect(x: 0, y: 0, width: frame.width, height: frame.height, fill: PlotTheme.background, className: "background")
        drawCells(frame, into: &svg)
        drawPoints(frame, into: &svg)
        frame.drawForeground(into: &svg)
        return svg.render()
    }

    static func classCount(points: [LabeledPoint], names: [String]?, gridMax: Int?) -> Int {
        max(names?.count ?? 0, (points.map(\.label).max() ?? -1) + 1, (gridMax ?? -1) + 1, 1)
    }

    /// The light region colour; `confidence` at chance level (1/classes) fades most of the way to white.
    static func regionColor(class index: Int, confidence: Double, classes: Int) -> RGBColor {
        let chance = 1 / Double(max(classes, 2))
        // Twelve shade levels are indistinguishable from continuous ones and let equal cells merge.
        let certainty = (min(max((confidence - chance) / (1 - chance), 0), 1) * 12).rounded() / 12
        return Palette.color(at: index).lightened(by: 0.92 - 0.2 * certainty)
    }

    static func pointColor(class index: Int) -> RGBColor {
        Palette.color(at: index).mixed(with: .black, fraction: 0.15)
    }

    private func makeFrame() -> ChartFrame {
        let xAxis = Axis.linear(min: xRange.lowerBound, max: xRange.upperBound, tight: true, integer: false)
        let yAxis = Axis.linear(min: yRange.lowerBound, max: yRange.upperBound, tight: true, integer: false)
        let legend = classNames.enumerated().map { index, name in
            LegendEntry(label: name, color: Self.pointColor(class: index), marker: .dot)
        }
        return ChartFrame(width: width, height: height, xAxis: xAxis, yAxis: yAxis,
                          title: title, xLabel: xLabel, yLabel: yLabel, legend: legend)
    }

    /// One rectangle per run of equal colour along a row, which keeps large grids small.
    private func drawCells(_ frame: ChartFrame, into svg: inout SVGDocument) {
        let rows = cellColors.count
        guard rows > 0, let columns = cellColors.first?.count, columns > 0 else { return }
        let cellWidth = frame.area.width / Double(columns)
        let cellHeight = frame.area.height / Double(rows)
        svg.beginGroup([("class", "cells"), ("shape-rendering", "crispEdges")])
        for (row, colors) in cellColors.enumerated() {
            let y = frame.area.bottom - Double(row + 1) * cellHeight
            var start = 0
            while start < columns {
                var end = start + 1
                while end < columns && colors[end] == colors[start] { end += 1 }
                svg.rect(x: frame.area.x + Double(start) * cellWidth, y: y,
                         width: Double(end - start) * cellWidth, height: cellHeight, fill: colors[start], className: "cell")
                start = end
            }
        }
        svg.endGroup()
    }

    private func drawPoints(_ frame: ChartFrame, into svg: inout SVGDocument) {
        svg.beginGroup([("class", "points")])
        for point in points where xRange.contains(point.x) && yRange.contains(point.y) {
            guard let x = frame.px(point.x), let y = frame.py(point.y) else { continue }
            svg.circle(cx: x, cy: y, r: 3.5, fill: Self.pointColor(class: point.label),
                       stroke: .white, strokeWidth: 0.8, className: "point")
        }
        svg.endGroup()
    }
}
