import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

@Suite("Report: confusion matrix plot")
struct ConfusionMatrixPlotTests {
    @Test func drawsOneCellPerPairWithItsCount() throws {
        let plot = ConfusionMatrixPlot(counts: [[50, 2, 0], [7, 41, 2], [0, 0, 0]], classNames: ["cat", "dog", "eel"])
        let doc = try #require(XMLInspection(plot.svg()))
        #expect(doc.count("rect", class: "cell") == 9)
        #expect(doc.all("text", class: "count").map(\.text) == ["50", "2", "0", "7", "41", "2", "0", "0", "0"])
        #expect(doc.all("text", class: "class-label").map(\.text) == ["cat", "dog", "eel", "cat", "dog", "eel"])
    }

    @Test func shadesCellsByShareOfTheirRow() throws {
        let plot = ConfusionMatrixPlot(counts: [[50, 50], [1, 3]])
        let doc = try #require(XMLInspection(plot.svg()))
        let fills = doc.all("rect", class: "cell").map { $0.attributes["fill"] ?? "" }
        // 50 of 100 and 1 of 4: the small row's cell is lighter although shares, not counts, set the shade.
        #expect(fills[0] == plot.fill(for: 0.5).hexString)
        #expect(fills[1] == fills[0])
        #expect(fills[2] == plot.fill(for: 0.25).hexString)
        #expect(fills[3] == plot.fill(for: 0.75).hexString)
        #expect(plot.fill(for: 0) == .white && plot.fill(for: 1) == plot.color)
    }

    @Test func emptyRowStaysWhite() throws {
        let plot = ConfusionMatrixPlot(counts: [[3, 1], [0, 0]])
        let doc = try #require(XMLInspection(plot.svg()))
        let fills = doc.all("rect", class: "cell").map { $0.attributes["fill"] }
        #expect(fills[2] == "#ffffff" && fills[3] == "#ffffff")
    }

    @Test func rotatesLongColumnLabelsAndEscapesNames() throws {
        let names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                     "Sandal", "Shirt", "Sneaker", "Bag", "Ankle <boot> & sock"]
        let counts = (0..<10).map { row in (0..<10).map { $0 == row ? 90 : 1 } }
        let svg = ConfusionMatrixPlot(counts: counts, classNames: names).svg()
        let doc = try #require(XMLInspection(svg))
        let labels = doc.all("text", class: "class-label")
        #expect(labels.count == 20)
        #expect(labels.prefix(10).allSatisfy { $0.attributes["transform"] == nil })
        #expect(labels.suffix(10).allSatisfy { $0.attributes["transform"]?.hasPrefix("rotate(-45") == true })
        #expect(labels.last?.text == "Ankle <boot> & sock")
        #expect(svg.contains("Ankle &lt;boot&gt; &amp; sock"))
    }

    @Test func twentyClassesStayReadable() throws {
        let counts = (0..<20).map { row in (0..<20).map { $0 == row ? 25_000 : 3 } }
        let doc = try #require(XMLInspection(ConfusionMatrixPlot(counts: counts).svg()))
        #expect(doc.count("rect", class: "cell") == 400)
        let counted = doc.all("text", class: "count")
        #expect(counted.first?.text == "25k")
        #expect(counted.allSatisfy { Double($0.attributes["font-size"] ?? "0")! >= 9 })
        #expect(doc.all("text", class: "class-label").first?.text == "0")
    }
}

@Suite("Report: decision boundary plot")
struct DecisionBoundaryPlotTests {
    let points = [
        LabeledPoint(x: -0.5, y: -0.5, label: 0), LabeledPoint(x: 0.5, y: 0.5, label: 1),
        LabeledPoint(x: 0.4, y: -0.6, label: 1), LabeledPoint(x: 5, y: 5, label: 0),
    ]

    @Test func mergesRunsOfEqualCellsAndDrawsPointsInRange() throws {
        let grid = [[0, 0, 1, 1], [0, 1, 1, 1], [1, 1, 1, 1]]
        let plot = DecisionBoundaryPlot(xRange: -1...1, yRange: -1...1, predictedClasses: grid, points: points)
        let doc = try #require(XMLInspection(plot.svg()))
        let cells = doc.all("rect", class: "cell")
        #expect(cells.count == 5)
        #expect(cells[0].attributes["fill"] == DecisionBoundaryPlot.regionColor(class: 0, confidence: 1, classes: 2).hexString)
        // Row 0 is the bottom of the plot.
        #expect(Double(cells[0].attributes["y"]!)! > Double(cells[4].attributes["y"]!)!)
        let dots = doc.all("circle", class: "point")
        #expect(dots.count == 3)
        #expect(dots.map { $0.attributes["fill"] } == [0, 1, 1].map { DecisionBoundaryPlot.pointColor(class: $0).hexString })
        #expect(doc.all("text", class: "legend-label").map(\.text) == ["class 0", "class 1"])
    }

    @Test func probabilitiesFadeUncertainCells() throws {
        let grid: [[[Double]]] = [[[1, 0], [0.5, 0.5], [0.2, 0.8]]]
        let plot = DecisionBoundaryPlot(xRange: 0...3, yRange: 0...1, probabilities: grid, points: [],
                                        classNames: ["no", "yes"])
        let doc = try #require(XMLInspection(plot.svg()))
        let fills = doc.all("rect", class: "cell").compactMap { $0.attributes["fill"] }
        #expect(fills.count == 3)
        #expect(fills[0] == DecisionBoundaryPlot.regionColor(class: 0, confidence: 1, classes: 2).hexString)
        let unsure = DecisionBoundaryPlot.regionColor(class: 0, confidence: 0.5, classes: 2)
        #expect(fills[1] == unsure.hexString && unsure.luminance > 0.9)
        #expect(doc.all("text", class: "legend-label").map(\.text) == ["no", "yes"])
    }

    @Test func cellCentersRunRowByRowFromTheBottom() {
        let centers = DecisionBoundaryPlot.cellCenters(xRange: 0...4, yRange: -1...1, columns: 2, rows: 2)
        #expect(centers.map(\.x) == [1, 3, 1, 3])
        #expect(centers.map(\.y) == [-0.5, -0.5, 0.5, 0.5])
    }
}
