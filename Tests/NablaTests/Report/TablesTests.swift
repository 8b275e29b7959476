import Foundation
import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

@Suite("Report: metrics CSV")
struct MetricsCSVTests {
    @Test func writesHeaderAndRowsInColumnOrder() {
        var table = MetricsTable(columns: ["epoch", "train_loss", "val_loss", "lr"])
        table.append([1, 0.91, 0.95, 1e-3])
        table.append(["lr": 5e-4, "epoch": 2, "train_loss": 0.5])
        table.append([3, .nan, .infinity, -.infinity])
        #expect(MetricsCSV.string(from: table) == """
            epoch,train_loss,val_loss,lr
            1,0.91,0.95,0.001
            2,0.5,nan,0.0005
            3,nan,inf,-inf

            """)
        #expect(table.column("val_loss")?.first == 0.95)
        #expect(table.column("nope") == nil)
    }

    @Test func quotesHeaderFieldsThatNeedIt() {
        let table = MetricsTable(columns: ["a,b", "say \"hi\""], rows: [[1.5, -2]])
        #expect(MetricsCSV.string(from: table) == "\"a,b\",\"say \"\"hi\"\"\"\n1.5,-2\n")
    }

    @Test func writesAFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nabla-metrics-\(UUID()).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        try MetricsCSV.write(MetricsTable(columns: ["epoch"], rows: [[1], [2]]), to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == "epoch\n1\n2\n")
    }

    @Test func tablesWithMissingValuesCompareEqual() {
        var a = MetricsTable(columns: ["x", "y"])
        a.append(["x": 1])
        #expect(a == MetricsTable(columns: ["x", "y"], rows: [[1, .nan]]))
        #expect(a != MetricsTable(columns: ["x", "y"], rows: [[1, 2]]))
    }
}

@Suite("Report: text tables")
struct TextTableTests {
    @Test func alignsTextLeftAndNumbersRight() {
        let table = TextTable(header: ["class", "recall", "n"], rows: [["cat", "0.91", "120"], ["dog", "0.8", "7"]])
        #expect(table.render() == """
            class  recall    n
            -----  ------  ---
            cat      0.91  120
            dog       0.8    7

            """)
    }

    @Test func explicitAlignmentAndRaggedRows() {
        let table = TextTable(header: ["a", "b"], rows: [["1"], ["22", "x", "extra"]], alignments: [.left, .right])
        #expect(table.render() == "a   b\n--  -  -----\n1\n22  x  extra\n")
    }

    @Test func keyValuesHaveNoHeader() {
        #expect(TextTable(keyValues: [("model", "MLP"), ("parameters", "235146")]).render()
            == "model       MLP\nparameters  235146\n")
    }

    @Test func metricsColumnsKeepOneFormatEach() {
        let metrics = MetricsTable(columns: ["epoch", "loss", "lr"], rows: [[1, 0.5, 1e-3], [2, .nan, 5e-4]])
        #expect(TextTable(metrics: metrics).render() == """
            epoch    loss         lr
            -----  ------  ---------
                1  0.5000  1.000e-03
                2     nan  5.000e-04

            """)
    }

    @Test func confusionMatrixAndClassificationReport() {
        let counts = [[8, 2], [1, 9]]
        #expect(TextTable(confusionMatrix: counts, classNames: ["a", "b"]).render() == """
            true \\ predicted  a  b
            ----------------  -  -
            a                 8  2
            b                 1  9

            """)
        let report = TextTable.classificationReport(confusionMatrix: counts, classNames: ["a", "b"])
        #expect(report.rows[0] == ["a", "0.8889", "0.8000", "0.8421", "10"])
        #expect(report.rows[1] == ["b", "0.8182", "0.9000", "0.8571", "10"])
        #expect(report.rows[2] == ["macro avg", "0.8535", "0.8500", "0.8496", "20"])
        #expect(report.rows[3] == ["accuracy", "", "", "0.8500", "20"])
    }
}
