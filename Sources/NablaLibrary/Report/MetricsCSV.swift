import Foundation
import NablaCore
import NablaBackend

/// Named numeric columns with one row per epoch (or step), in the order the columns were given.
/// A value that was not recorded is NaN.
///
/// ```swift
/// var table = MetricsTable(columns: ["epoch", "train_loss", "val_loss"])
/// table.append([1, 0.91, 0.95])
/// table.append(["epoch": 2, "train_loss": 0.52])   // val_loss missing: NaN
/// table.column("train_loss")   // [0.91, 0.52]
/// ```
public struct MetricsTable: Sendable, Equatable {
    public var columns: [String]
    public private(set) var rows: [[Double]]

    public init(columns: [String], rows: [[Double]] = []) {
        self.columns = columns
        self.rows = []
        for row in rows { append(row) }
    }

    /// Appends a row whose values are in column order.
    public mutating func append(_ row: [Double]) {
        precondition(row.count == columns.count,
                     "MetricsTable.append: \(row.count) values for \(columns.count) columns \(columns)")
        rows.append(row)
    }

    /// Appends a row by column name; columns not named are NaN.
    public mutating func append(_ values: [String: Double]) {
        for name in values.keys where !columns.contains(name) {
            preconditionFailure("MetricsTable.append: no column '\(name)' in \(columns)")
        }
        rows.append(columns.map { values[$0] ?? .nan })
    }

    /// The values of one column, or nil if there is no such column.
    public func column(_ name: String) -> [Double]? {
        columns.firstIndex(of: name).map { index in rows.map { $0[index] } }
    }

    public static func == (lhs: MetricsTable, rhs: MetricsTable) -> Bool {
        // NaN marks a missing value, so two missing values compare equal here.
        lhs.columns == rhs.columns && lhs.rows.count == rhs.rows.count
            && zip(lhs.rows, rhs.rows).allSatisfy { zip($0, $1).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) } }
    }
}

/// Writes a `MetricsTable` as CSV: a header line, then one line per row, `\n` line endings.
///
/// Whole numbers are written without a decimal point (`3`), other values in the shortest form that
/// reads back exactly (`0.4213`, `1e-07`), and NaN and infinities as `nan`, `inf`, `-inf`, which
/// pandas and NumPy read back.
///
/// ```swift
/// let csv = MetricsCSV.string(from: table)   // "epoch,train_loss,val_loss\n1,0.91,0.95\n2,0.52,nan\n"
/// try MetricsCSV.write(table, to: URL(fileURLWithPath: "runs/mnist/metrics.csv"))
/// ```
public enum MetricsCSV {
    public static func string(from table: MetricsTable) -> String {
        var lines = [table.columns.map(field).joined(separator: ",")]
        for row in table.rows {
            lines.append(row.map(number).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes the CSV file, replacing any existing one.
    public static func write(_ table: MetricsTable, to url: URL) throws {
        try Data(string(from: table).utf8).write(to: url, options: .atomic)
    }

    /// One value as CSV writes it.
    public static func number(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// A header field, quoted per RFC 4180 when it holds a comma, quote or line break.
    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
