import Foundation
import NablaCore
import NablaBackend

/// A plain-text table with aligned columns, for terminals and log files.
///
/// Columns are separated by two spaces and the header is underlined with dashes. By default a column
/// whose cells are all numbers is right-aligned and any other column left-aligned.
///
/// ```swift
/// let table = TextTable(header: ["class", "recall"], rows: [["cat", "0.91"], ["dog", "0.88"]])
/// print(table.render())
/// // class  recall
/// // -----  ------
/// // cat      0.91
/// // dog      0.88
/// ```
public struct TextTable: Sendable {
    public enum Alignment: Sendable {
        case left, right
    }

    public var header: [String]
    public var rows: [[String]]
    /// One per column; nil chooses by content.
    public var alignments: [Alignment]?

    public init(header: [String], rows: [[String]], alignments: [Alignment]? = nil) {
        self.header = header
        self.rows = rows
        self.alignments = alignments
    }

    /// The table as lines joined by `\n`, with a final `\n` and no trailing spaces.
    public func render() -> String {
        let columnCount = ([header.count] + rows.map(\.count)).max() ?? 0
        let cells = (header.isEmpty ? rows : [header] + rows).map { row in
            (0..<columnCount).map { $0 < row.count ? row[$0] : "" }
        }
        let widths = (0..<columnCount).map { column in cells.map { $0[column].count }.max() ?? 0 }
        let aligns = (0..<columnCount).map { column in
            alignments.flatMap { column < $0.count ? $0[column] : nil } ?? inferredAlignment(column)
        }
        var lines = cells.map { format($0, widths: widths, alignments: aligns) }
        if !header.isEmpty {
            lines.insert(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "), at: 1)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func format(_ row: [String], widths: [Int], alignments: [Alignment]) -> String {
        var line = ""
        for (column, cell) in row.enumerated() {
            let pad = String(repeating: " ", count: widths[column] - cell.count)
            line += (column == 0 ? "" : "  ") + (alignments[column] == .right ? pad + cell : cell + pad)
        }
        while line.last == " " { line.removeLast() }
        return line
    }

    private func inferredAlignment(_ column: Int) -> Alignment {
        let values = rows.compactMap { column < $0.count ? $0[column] : nil }.filter { !$0.isEmpty }
        let numeric = !values.isEmpty && values.allSatisfy(Self.looksNumeric)
        return numeric ? .right : .left
    }

    static func looksNumeric(_ text: String) -> Bool {
        let trimmed = text.hasSuffix("%") ? String(text.dropLast()) : text
        return Double(trimmed) != nil || ["nan", "inf", "-inf"].contains(trimmed)
    }
}

extension TextTable {
    /// Two columns, for a run summary or a configuration.
    public init(keyValues: [(key: String, value: String)]) {
        self.init(header: [], rows: keyValues.map { [$0.key, $0.value] }, alignments: [.left, .left])
    }

    /// A metrics table, values formatted with `ReportFormat.metric`, except that a column of whole
    /// numbers (such as the epoch) is written as integers.
    public init(metrics: MetricsTable) {
        self.init(header: metrics.columns, rows: Self.formattedRows(metrics))
    }

    /// A confusion matrix with true classes down the side and predictions across.
    public init(confusionMatrix counts: [[Int]], classNames: [String]) {
        precondition(classNames.count == counts.count,
                     "TextTable(confusionMatrix:): \(classNames.count) class names for \(counts.count) rows")
        self.init(header: ["true \\ predicted"] + classNames,
                  rows: zip(classNames, counts).map { name, row in [name] + row.map(String.init) })
    }

    /// Per-class precision, recall, F1 and support from a confusion matrix (`counts[true][predicted]`),
    /// followed by the macro average and the overall accuracy. An undefined ratio is shown as 0.
    public static func classificationReport(confusionMatrix counts: [[Int]], classNames: [String]) -> TextTable {
        precondition(classNames.count == counts.count,
                     "TextTable.classificationReport: \(classNames.count) class names for \(counts.count) rows")
        let n = counts.count
        let support = counts.map { $0.reduce(0, +) }
        let predicted = (0..<n).map { column in counts.reduce(0) { $0 + $1[column] } }
        var rows: [[String]] = []
        var sums = (precision: 0.0, recall: 0.0, f1: 0.0)
        for k in 0..<n {
            let hits = Double(counts[k][k])
            let precision = predicted[k] > 0 ? hits / Double(predicted[k]) : 0
            let recall = support[k] > 0 ? hits / Double(support[k]) : 0
            let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
            sums = (sums.precision + precision, sums.recall + recall, sums.f1 + f1)
            rows.append([classNames[k], fixed(precision), fixed(recall), fixed(f1), String(support[k])])
        }
        let total = support.reduce(0, +)
        let correct = (0..<n).reduce(0) { $0 + counts[$1][$1] }
        let count = Double(max(n, 1))
        rows.append(["macro avg", fixed(sums.precision / count), fixed(sums.recall / count),
                     fixed(sums.f1 / count), String(total)])
        rows.append(["accuracy", "", "", fixed(total > 0 ? Double(correct) / Double(total) : 0), String(total)])
        return TextTable(header: ["class", "precision", "recall", "f1", "support"], rows: rows)
    }

    static func fixed(_ value: Double) -> String {
        String(format: "%.4f", value)
    }

    /// The table's values as text, shared with the HTML report. Each column gets one format so its
    /// numbers line up: integers, four decimals, or scientific when its magnitudes need it.
    static func formattedRows(_ metrics: MetricsTable) -> [[String]] {
        let formats = metrics.columns.indices.map { column in columnFormat(metrics.rows.map { $0[column] }) }
        return metrics.rows.map { row in
            row.enumerated().map { column, value in formats[column](value) }
        }
    }

    private static func columnFormat(_ values: [Double]) -> @Sendable (Double) -> String {
        let finite = values.filter(\.isFinite)
        if finite.allSatisfy({ $0 == $0.rounded() && abs($0) < 1e15 }) {
            return { $0.isFinite ? String(Int64($0)) : ReportFormat.metric($0) }
        }
        let magnitudes = finite.map(abs).filter { $0 > 0 }
        if magnitudes.contains(where: { $0 < 1e-3 || $0 >= 1e5 }) {
            return { $0.isFinite ? String(format: "%.3e", $0) : ReportFormat.metric($0) }
        }
        return { $0.isFinite ? String(format: "%.4f", $0) : ReportFormat.metric($0) }
    }
}
