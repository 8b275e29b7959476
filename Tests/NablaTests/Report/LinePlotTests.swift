import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

@Suite("Report: line plot")
struct LinePlotTests {
    @Test func drawsOnePathPerSeriesWithLegendAndTitles() throws {
        let plot = LinePlot(
            title: "Loss", xLabel: "epoch", yLabel: "cross-entropy",
            series: [
                LineSeries(name: "train", values: [2.1, 1.2, 0.8, 0.6]),
                LineSeries(name: "validation", values: [2.2, 1.4, 1.1, 1.2]),
            ])
        let doc = try #require(XMLInspection(plot.svg()))
        let paths = doc.all("path", class: "series")
        #expect(paths.count == 2)
        #expect(paths.map { segmentCount($0.attributes["d"]) } == [1, 1])
        #expect(paths[0].attributes["stroke"] == Palette.color(at: 0).hexString)
        #expect(paths[1].attributes["stroke"] == Palette.color(at: 1).hexString)
        #expect(doc.count("circle", class: "marker") == 8)
        #expect(doc.all("text", class: "legend-label").map(\.text) == ["train", "validation"])
        #expect(doc.all("text", class: "title").map(\.text) == ["Loss"])
        #expect(doc.all("text", class: "axis-label").map(\.text) == ["epoch", "cross-entropy"])
    }

    @Test func usesWholeNumberTicksForEpochsAndRoundTicksForValues() throws {
        let plot = LinePlot(series: [LineSeries(name: "loss", values: [2.31, 1.2, 0.8, 0.13])])
        let doc = try #require(XMLInspection(plot.svg()))
        let ticks = doc.all("text", class: "tick").map(\.text)
        #expect(ticks == ["1", "2", "3", "4", "0.0", "0.5", "1.0", "1.5", "2.0", "2.5"])
    }

    @Test func nonFiniteValuesBreakTheLine() throws {
        let plot = LinePlot(series: [LineSeries(name: "loss", values: [1, 0.9, .nan, 0.7, 0.6, .infinity, 0.5])])
        let doc = try #require(XMLInspection(plot.svg()))
        let path = try #require(doc.all("path", class: "series").first)
        #expect(segmentCount(path.attributes["d"]) == 2)
        // The lone 0.5 after the infinity has no neighbour, so it is a dot rather than a segment.
        #expect(doc.count("circle", class: "marker") == 5)
    }

    @Test func singlePointIsADot() throws {
        let plot = LinePlot(series: [LineSeries(name: "acc", values: [0.5])], width: 400, height: 300)
        let doc = try #require(XMLInspection(plot.svg()))
        #expect(doc.count("path", class: "series") == 0)
        #expect(doc.count("circle", class: "marker") == 1)
        #expect(doc.count("text", class: "empty") == 0)
    }

    @Test func constantSeriesGetsARangeAroundItsValue() throws {
        let plot = LinePlot(series: [LineSeries(name: "lr", values: [0.3, 0.3, 0.3])])
        let doc = try #require(XMLInspection(plot.svg()))
        let ticks = doc.all("text", class: "tick").map(\.text)
        #expect(ticks.contains("0.30"))
        #expect(ticks.contains("0.27") && ticks.contains("0.33"))
        let path = try #require(doc.all("path", class: "series").first?.attributes["d"])
        let ys = Set(path.split(separator: " ").enumerated().filter { $0.offset % 2 == 1 }.map(\.element))
        #expect(ys.count == 1)
    }

    @Test func logScaleSkipsNonPositiveValuesAndLabelsDecades() throws {
        let plot = LinePlot(series: [LineSeries(name: "norm", values: [1e-3, 0, 1e-2, -1, 0.1, 1])], logScaleY: true)
        let doc = try #require(XMLInspection(plot.svg()))
        let path = try #require(doc.all("path", class: "series").first)
        #expect(segmentCount(path.attributes["d"]) == 1)
        #expect(doc.count("circle", class: "marker") == 4)
        let ticks = doc.all("text", class: "tick").map(\.text)
        #expect(ticks.suffix(4) == ["0.001", "0.01", "0.1", "1"])
    }

    @Test func allNonFiniteDataSaysSo() throws {
        let plot = LinePlot(series: [LineSeries(name: "loss", values: [.nan, .nan])])
        let doc = try #require(XMLInspection(plot.svg()))
        #expect(doc.count("path", class: "series") == 0)
        #expect(doc.all("text", class: "empty").map(\.text) == ["no finite data"])
    }

    @Test func escapesNamesAndTitles() throws {
        let svg = LinePlot(title: "a < b & c",
                           series: [LineSeries(name: "<val>", values: [1, 2]), LineSeries(name: "x&y", values: [2, 1])]).svg()
        #expect(svg.contains("a &lt; b &amp; c"))
        #expect(!svg.contains("<val>"))
        let doc = try #require(XMLInspection(svg))
        #expect(doc.all("text", class: "legend-label").map(\.text) == ["<val>", "x&y"])
    }

    @Test func bandsAndReferenceLinesAreDrawnInsideThePlot() throws {
        var plot = LinePlot(series: [LineSeries(name: "acc", values: [0.5, 0.7, 0.9])])
        plot.bands = [ShadedBand(lower: 0.8, upper: .infinity, label: "target", color: Palette.color(at: 2))]
        plot.referenceLines = [ReferenceLine(y: 0.6, label: "baseline")]
        let doc = try #require(XMLInspection(plot.svg()))
        let band = try #require(doc.all("rect", class: "band").first)
        let line = try #require(doc.all("line", class: "reference").first)
        let bandTop = try #require(Double(band.attributes["y"] ?? ""))
        let bandHeight = try #require(Double(band.attributes["height"] ?? ""))
        let lineY = try #require(Double(line.attributes["y1"] ?? ""))
        #expect(bandHeight > 0 && lineY > bandTop + bandHeight)
        #expect(doc.all("text", class: "legend-label").map(\.text) == ["acc", "target", "baseline"])
    }
}

@Suite("Report: gradient flow plot")
struct GradientFlowPlotTests {
    @Test func drawsOneLinePerLayerOverShadedRegions() throws {
        let plot = GradientFlowPlot(layerNames: ["fc1.weight", "fc1.bias", "fc2.weight"],
                                    normsPerEpoch: [[0.8, 0.1, 1e-3], [0.5, 0.02, 1e-6], [0.4, 0.01, 1e-9]])
        let doc = try #require(XMLInspection(plot.svg()))
        #expect(doc.count("path", class: "series") == 3)
        #expect(doc.count("rect", class: "band") == 2)
        #expect(doc.count("line", class: "reference") == 2)
        let legend = doc.all("text", class: "legend-label").map(\.text)
        #expect(legend == ["fc1.weight", "fc1.bias", "fc2.weight", "vanishing (< 1e-7)", "exploding (> 1000)"])
    }

    @Test func axisCoversBothThresholdsAndZeroNormsStayVisible() throws {
        var plot = GradientFlowPlot(layerNames: ["dead"], normsPerEpoch: [[0.1], [0], [.nan], [0.1]],
                                    explodingThreshold: 10)
        let line = plot.linePlot()
        #expect(line.logScaleY)
        #expect(line.series[0].y[1] == 1e-8)
        #expect(line.series[0].y[2].isNaN)
        plot.title = "flow"
        let doc = try #require(XMLInspection(plot.svg()))
        let ticks = doc.all("text", class: "tick").map(\.text)
        #expect(ticks.first { $0.contains("e-8") } != nil)
        #expect(ticks.last == "100")
        #expect(doc.count("circle", class: "marker") == 3)
    }
}
