import Foundation
import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

@Suite("Report: HTML report")
struct HTMLReportTests {
    func sampleReport() -> HTMLReport {
        var metrics = MetricsTable(columns: ["epoch", "train_loss", "val_loss", "val_acc"])
        metrics.append([1, 0.9, 0.95, 0.70])
        metrics.append([2, 0.5, 0.61, 0.82])
        metrics.append([3, 0.3, 0.66, 0.80])
        var report = HTMLReport(title: "Run <1> & co", subtitle: "nabla train --epochs 3")
        report.summary = [("model", "MLP 784-256-10"), ("note", "a < b")]
        report.metrics = metrics
        report.modelSummary = "Linear(784 -> 256)\nReLU"
        let loss = LinePlot(title: "Loss plot", series: [
            LineSeries(name: "train", values: metrics.column("train_loss")!),
            LineSeries(name: "validation", values: metrics.column("val_loss")!),
        ])
        report.figures = [
            .init(title: "Loss", svg: loss.svg(), caption: HTMLReport.Caption.loss),
            .init(title: "Confusion", svg: ConfusionMatrixPlot(counts: [[5, 1], [2, 4]], title: "CM plot").svg(),
                  caption: HTMLReport.Caption.confusionMatrix),
            .init(title: "Gradients", svg: GradientFlowPlot(layerNames: ["fc"], normsPerEpoch: [[1], [0.5]]).svg(),
                  caption: HTMLReport.Caption.gradientFlow),
        ]
        return report
    }

    @Test func isSelfContained() {
        let html = sampleReport().html()
        let withoutNamespace = html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
        #expect(!withoutNamespace.contains("http://") && !withoutNamespace.contains("https://"))
        for forbidden in ["<script", "<link", "src=", "url(", "@import", "<iframe"] {
            #expect(!html.contains(forbidden), "found \(forbidden)")
        }
    }

    @Test func embedsEachPlotWithItsCaption() throws {
        let report = sampleReport()
        let doc = try #require(XMLInspection(report.html()))
        #expect(doc.count("svg") == 3)
        #expect(doc.count("figure") == 3)
        let titles = doc.all("text", class: "title").map(\.text)
        #expect(titles == ["Loss plot", "CM plot", "Gradient flow"])
        let captions = doc.all("figcaption").map(\.text)
        #expect(captions[0] == "Loss. " + HTMLReport.Caption.loss)
        #expect(captions[0].contains("over-fitting"))
    }

    @Test func escapesTextAndIsWellFormed() throws {
        let html = sampleReport().html()
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<h1>Run &lt;1&gt; &amp; co</h1>"))
        #expect(html.contains("<pre>Linear(784 -&gt; 256)\nReLU</pre>"))
        let doc = try #require(XMLInspection(html))
        #expect(doc.all("h1").map(\.text) == ["Run <1> & co"])
        #expect(doc.all("td").contains { $0.text == "a < b" })
    }

    @Test func metricsTableHasARowPerEpochAndMarksTheBest() throws {
        let doc = try #require(XMLInspection(sampleReport().html()))
        let table = try #require(doc.elements.firstIndex { $0.name == "table" && $0.attributes["class"] == "metrics" })
        let headers = doc.elements[table...].filter { $0.name == "th" }.prefix(4).map(\.text)
        #expect(headers == ["epoch", "train_loss", "val_loss", "val_acc"])
        let best = doc.all("td").filter { $0.attributes["class"] == "best" }.map(\.text)
        // Row 2 holds the lowest validation loss and highest accuracy, row 3 the lowest training loss.
        #expect(best == ["0.6100", "0.8200", "0.3000"])
        #expect(doc.all("td").filter { $0.text == "3" }.count == 1)
    }

    @Test func leavesOutEmptySections() throws {
        let html = HTMLReport(title: "bare").html()
        let doc = try #require(XMLInspection(html))
        #expect(doc.count("section") == 0)
        #expect(doc.all("title").map(\.text) == ["bare"])
    }

    @Test func writesAFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nabla-report-\(UUID()).html")
        defer { try? FileManager.default.removeItem(at: url) }
        let report = sampleReport()
        try report.write(to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == report.html())
    }
}
