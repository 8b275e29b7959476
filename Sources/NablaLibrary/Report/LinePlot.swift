import NablaCore
import NablaBackend

/// One named line of a `LinePlot`.
///
/// ```swift
/// let train = LineSeries(name: "train", values: [0.9, 0.5, 0.4])   // x = 1, 2, 3 (epochs)
/// let lr = LineSeries(name: "lr", x: [0, 100, 200], y: [1e-3, 5e-4, 2.5e-4])
/// ```
public struct LineSeries: Sendable {
    public var name: String
    public var x: [Double]
    public var y: [Double]
    /// Defaults to the palette colour for the series' position in the plot.
    public var color: RGBColor?
    /// An SVG `stroke-dasharray` such as `"6 3"`; defaults to solid for the first ten series.
    public var dash: String?

    public init(name: String, x: [Double], y: [Double], color: RGBColor? = nil, dash: String? = nil) {
        precondition(x.count == y.count, "LineSeries '\(name)': \(x.count) x values but \(y.count) y values")
        self.name = name
        self.x = x
        self.y = y
        self.color = color
        self.dash = dash
    }

    /// A series over epochs: `values[i]` is drawn at x = `firstX + i`.
    public init(name: String, values: [Double], firstX: Double = 1, color: RGBColor? = nil, dash: String? = nil) {
        self.init(name: name, x: values.indices.map { firstX + Double($0) }, y: values, color: color, dash: dash)
    }
}

/// A horizontal line across the plot at a y value, such as a threshold.
public struct ReferenceLine: Sendable {
    public var y: Double
    public var label: String
    public var color: RGBColor

    public init(y: Double, label: String, color: RGBColor = PlotTheme.mutedText) {
        self.y = y
        self.label = label
        self.color = color
    }
}

/// A shaded horizontal band between two y values; an infinite bound reaches the edge of the plot.
public struct ShadedBand: Sendable {
    public var lower: Double
    public var upper: Double
    public var label: String
    public var color: RGBColor

    public init(lower: Double, upper: Double, label: String, color: RGBColor) {
        self.lower = lower
        self.upper = upper
        self.label = label
        self.color = color
    }
}

/// A multi-series line chart, for example training and validation loss per epoch.
///
/// NaN and infinite values (and values ≤ 0 on a log scale) are skipped, leaving a gap in the line;
/// a point with no neighbour is drawn as a dot, and a constant series gets a range around its value.
/// When every x value is a whole number the x ticks are too.
///
/// ```swift
/// let plot = LinePlot(
///     title: "Loss", xLabel: "epoch", yLabel: "cross-entropy",
///     series: [LineSeries(name: "train", values: trainLoss), LineSeries(name: "validation", values: valLoss)])
/// try plot.svg().write(toFile: "loss.svg", atomically: true, encoding: .utf8)
/// ```
public struct LinePlot: Sendable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [LineSeries]
    /// Plots y on a base-10 log scale, for quantities spanning decades such as gradient norms.
    public var logScaleY: Bool
    public var width: Double
    public var height: Double
    public var referenceLines: [ReferenceLine] = []
    public var bands: [ShadedBand] = []
    /// Extra y values the axis must cover, so that context such as a threshold region stays in view.
    public var yAxisIncludes: [Double] = []
    /// Dots at each point; by default only for series of at most 40 points.
    public var showsMarkers: Bool?

    public init(title: String = "", xLabel: String = "", yLabel: String = "", series: [LineSeries],
                logScaleY: Bool = false, width: Double = 640, height: Double = 380) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.logScaleY = logScaleY
        self.width = width
        self.height = height
    }

    /// The chart as a standalone SVG document.
    public func svg() -> String {
        let frame = makeFrame()
        var svg = SVGDocument(width: frame.width, height: frame.height)
        frame.drawBackground(into: &svg)
        drawBands(frame, into: &svg)
        drawReferenceLines(frame, into: &svg)
        for index in series.indices {
            drawSeries(at: index, frame, into: &svg)
        }
        if !hasData {
            svg.text("no finite data", x: frame.area.x + frame.area.width / 2, y: frame.area.y + frame.area.height / 2,
                     anchor: .middle, fill: PlotTheme.mutedText, className: "empty")
        }
        frame.drawForeground(into: &svg)
        return svg.render()
    }

    private func isDrawable(_ x: Double, _ y: Double) -> Bool {
        x.isFinite && y.isFinite && (!logScaleY || y > 0)
    }

    private var drawablePoints: [(x: Double, y: Double)] {
        series.flatMap { line in zip(line.x, line.y).filter { isDrawable($0, $1) }.map { (x: $0, y: $1) } }
    }

    private var hasData: Bool { !drawablePoints.isEmpty }

    private func makeFrame() -> ChartFrame {
        let points = drawablePoints
        let xs = points.map(\.x)
        let extraY = referenceLines.map(\.y) + yAxisIncludes + bands.flatMap { [$0.lower, $0.upper] }
        let ys = points.map(\.y) + extraY.filter { $0.isFinite && (!logScaleY || $0 > 0) }
        let integerX = xs.allSatisfy { $0 == $0.rounded() }
        let xAxis = Axis.linear(min: xs.min() ?? 0, max: xs.max() ?? 1, tight: true, integer: integerX, padding: 0.02)
        let yAxis = logScaleY
            ? Axis.logarithmic(min: ys.min() ?? 0.1, max: ys.max() ?? 10)
            : Axis.linear(min: ys.min() ?? 0, max: ys.max() ?? 1, tight: false, integer: false)
        return ChartFrame(width: width, height: height, xAxis: xAxis, yAxis: yAxis,
                          title: title, xLabel: xLabel, yLabel: yLabel, legend: legendEntries)
    }

    private var legendEntries: [LegendEntry] {
        let lines = series.enumerated().map { index, line in
            LegendEntry(label: line.name, color: color(at: index), marker: .line(dash: dash(at: index)))
        }
        let shaded = bands.map { LegendEntry(label: $0.label, color: $0.color.lightened(by: 0.7), marker: .swatch) }
        let references = referenceLines.filter { !$0.label.isEmpty }
            .map { LegendEntry(label: $0.label, color: $0.color, marker: .line(dash: "5 4")) }
        let entries = lines + shaded + references
        return entries.count > 1 ? entries : []
    }

    private func color(at index: Int) -> RGBColor {
        series[index].color ?? Palette.color(at: index)
    }

    private func dash(at index: Int) -> String? {
        series[index].dash ?? Palette.dash(at: index)
    }

    private func drawBands(_ frame: ChartFrame, into svg: inout SVGDocument) {
        for band in bands {
            let top = frame.clampedY(max(band.lower, band.upper))
            let bottom = frame.clampedY(min(band.lower, band.upper))
            guard bottom > top else { continue }
            svg.rect(x: frame.area.x, y: top, width: frame.area.width, height: bottom - top,
                     fill: band.color, opacity: 0.14, className: "band")
        }
    }

    private func drawReferenceLines(_ frame: ChartFrame, into svg: inout SVGDocument) {
        for reference in referenceLines {
            guard let y = frame.py(reference.y), y >= frame.area.y - 0.5, y <= frame.area.bottom + 0.5 else { continue }
            svg.line(x1: frame.area.x, y1: y, x2: frame.area.right, y2: y,
                     stroke: reference.color, strokeWidth: 1.2, dash: "5 4", className: "reference")
        }
    }

    private func drawSeries(at index: Int, _ frame: ChartFrame, into svg: inout SVGDocument) {
        let segments = pixelSegments(of: series[index], frame)
        let color = color(at: index)
        let lines = segments.filter { $0.count >= 2 }
        svg.beginGroup([("class", "series-group")])
        svg.tooltip(series[index].name)
        if !lines.isEmpty {
            svg.path(segments: lines, stroke: color, strokeWidth: 2, dash: dash(at: index), className: "series")
        }
        let pointCount = segments.reduce(0) { $0 + $1.count }
        let markAll = showsMarkers ?? (pointCount <= 40)
        for segment in segments where markAll || segment.count == 1 {
            for point in segment {
                svg.circle(cx: point.x, cy: point.y, r: 3.2, fill: color, stroke: .white, className: "marker")
            }
        }
        svg.endGroup()
    }

    /// Runs of consecutive drawable points, in pixels; a skipped value ends a run.
    private func pixelSegments(of line: LineSeries, _ frame: ChartFrame) -> [[(x: Double, y: Double)]] {
        var segments: [[(x: Double, y: Double)]] = [[]]
        for (x, y) in zip(line.x, line.y) {
            if isDrawable(x, y), let px = frame.px(x), let py = frame.py(y) {
                segments[segments.count - 1].append((x: px, y: py))
            } else if !(segments.last?.isEmpty ?? true) {
                segments.append([])
            }
        }
        return segments.filter { !$0.isEmpty }
    }
}
