import Foundation
import NablaCore
import NablaBackend

/// A numeric table read from CSV: every cell a number, every row the same width.
public struct CSVTable: Equatable, Sendable {
    /// The column names, if the file's first row was a header.
    public var header: [String]?
    /// The number of data rows (the header is not counted).
    public var rows: Int
    /// The number of columns.
    public var columns: Int
    /// The cells in row-major order: `values[row * columns + column]`.
    public var values: [Float]

    /// Creates a table; `values` must hold `rows * columns` cells.
    public init(header: [String]?, rows: Int, columns: Int, values: [Float]) {
        precondition(values.count == rows * columns, "CSVTable: \(rows)x\(columns) needs \(rows * columns) values, got \(values.count)")
        precondition(header == nil || header!.count == columns, "CSVTable: header has \(header!.count) names for \(columns) columns")
        self.header = header
        self.rows = rows
        self.columns = columns
        self.values = values
    }
}

/// Numeric CSV (RFC 4180): comma-separated, optional header, quoted fields, LF or CRLF line ends.
///
/// ```swift
/// let table = try CSV.read(contentsOf: URL(fileURLWithPath: "iris.csv"))
/// let (x, y) = CSV.features(table)          // label = last column
/// ```
public enum CSV {
    /// The most columns a row may have; wider files are refused before their fields are kept.
    public static let maxColumns = 1 << 20

    /// Reads a numeric CSV file.
    ///
    /// - Parameters:
    ///   - hasHeader: `nil` detects a header: the first row is one if any cell is not a number.
    ///   - allowNonFinite: accept `nan`, `inf` and numbers beyond Float's range (which become ±inf);
    ///     by default they are an error, since training on them silently gives NaN weights.
    /// - Throws: `FileError` if the file can't be read; `FormatError` naming the line and column of a
    ///   cell that is not a (finite) number, a row of the wrong width, or a malformed quoted field.
    public static func read(contentsOf url: URL, hasHeader: Bool? = nil, allowNonFinite: Bool = false) throws -> CSVTable {
        try read(data: AtomicFile.read(url), name: url.lastPathComponent, hasHeader: hasHeader, allowNonFinite: allowNonFinite)
    }

    /// Parses CSV bytes held in memory; `name` appears in error messages.
    public static func read(data: Data, name: String, hasHeader: Bool? = nil, allowNonFinite: Bool = false) throws -> CSVTable {
        try data.withUnsafeBytes { raw in
            var scanner = CSVScanner(bytes: raw.bindMemory(to: UInt8.self), name: name)
            var builder = CSVTableBuilder(name: name, hasHeader: hasHeader, allowNonFinite: allowNonFinite)
            var fields: [CSVField] = []
            var blankLine: Int?
            while let line = try scanner.nextRecord(into: &fields) {
                if fields.count == 1, fields[0].isBlank {
                    blankLine = blankLine ?? line
                    continue
                }
                if let blank = blankLine, builder.hasRows {
                    throw FormatError(file: name, at: .line(blank), "blank line inside the data", hint: "remove it")
                }
                blankLine = nil
                try builder.add(fields, line: line)
            }
            return try builder.table()
        }
    }

    /// Splits `table` into a feature matrix `[rows, columns - 1]` and a label vector `[rows]`.
    ///
    /// - Parameter labelColumn: the label's column; negative counts from the end (-1 is the last).
    ///   `nil` means no labels: all columns are features and `labels` has shape `[0]`.
    /// - Precondition: `labelColumn` names a column of `table`.
    public static func features(_ table: CSVTable, labelColumn: Int? = -1) -> (features: Tensor, labels: Tensor) {
        guard let labelColumn else {
            return (Tensor(shape: [table.rows, table.columns], scalars: table.values), Tensor(shape: [0], scalars: []))
        }
        let label = labelColumn < 0 ? table.columns + labelColumn : labelColumn
        precondition((0..<table.columns).contains(label),
                     "CSV.features: label column \(labelColumn) is outside the table's \(table.columns) columns")
        var features: [Float] = []
        features.reserveCapacity(table.rows * (table.columns - 1))
        var labels: [Float] = []
        labels.reserveCapacity(table.rows)
        for row in 0..<table.rows {
            let start = row * table.columns
            features += table.values[start..<start + label]
            features += table.values[start + label + 1..<start + table.columns]
            labels.append(table.values[start + label])
        }
        return (Tensor(shape: [table.rows, table.columns - 1], scalars: features), Tensor(shape: [table.rows], scalars: labels))
    }
}

/// One cell as read from the file.
package struct CSVField {
    var text: String
    var line: Int
    var isQuoted: Bool

    var isBlank: Bool { !isQuoted && text.allSatisfy { $0 == " " || $0 == "\t" } }
}

/// Collects rows, detecting the header and checking widths and numbers.
private struct CSVTableBuilder {
    let name: String
    var hasHeader: Bool?
    let allowNonFinite: Bool
    var header: [String]?
    var columns: Int?
    var firstLine = 0
    var rows = 0
    var values: [Float] = []

    init(name: String, hasHeader: Bool?, allowNonFinite: Bool) {
        self.name = name
        self.hasHeader = hasHeader
        self.allowNonFinite = allowNonFinite
    }

    var hasRows: Bool { columns != nil }

    mutating func add(_ fields: [CSVField], line: Int) throws {
        guard let columns else {
            columns = fields.count
            firstLine = line
            let isHeader = hasHeader ?? fields.contains { Self.number($0) == nil }
            if isHeader {
                header = fields.map(\.text)
                return
            }
            return try appendRow(fields)
        }
        guard fields.count == columns else {
            throw FormatError(file: name, at: .line(line), "\(fields.count) fields, expected \(columns) as on line \(firstLine)",
                              hint: "every row needs the same number of columns")
        }
        try appendRow(fields)
    }

    private mutating func appendRow(_ fields: [CSVField]) throws {
        for (index, field) in fields.enumerated() {
            guard let value = Self.number(field) else {
                let cell = field.text.count > 40 ? String(field.text.prefix(40)) + "..." : field.text
                let isEmpty = field.text.allSatisfy { $0 == " " || $0 == "\t" }
                throw FormatError(file: name, at: .cell(line: field.line, column: index + 1),
                                  isEmpty ? "empty cell" : "\(JSONValue.quoted(cell)) is not a number",
                                  hint: isEmpty ? "fill in or drop rows with missing values" : nil)
            }
            guard value.isFinite || allowNonFinite else {
                let text = field.text.trimmingCharacters(in: .whitespaces)
                let overflow = !text.lowercased().contains("nan") && !text.lowercased().contains("inf")
                throw FormatError(file: name, at: .cell(line: field.line, column: index + 1),
                                  overflow ? "\(text) is beyond a 32-bit float's range (±3.4e38)" : "\(text) is not a finite number",
                                  hint: "training cannot use NaN or infinite values; fix or drop the row")
            }
            values.append(value)
        }
        rows += 1
    }

    func table() throws -> CSVTable {
        guard let columns else {
            throw FormatError(file: name, at: .file, "file holds no rows", hint: "is the file empty?")
        }
        return CSVTable(header: header, rows: rows, columns: columns, values: values)
    }

    /// A decimal number, `nan` or `inf`, ignoring spaces around it.
    static func number(_ field: CSVField) -> Float? {
        let trimmed = field.text.trimmingCharacters(in: .whitespaces)
        // Float(_:) also takes hexadecimal like "0x1p3", which no CSV writer means as a number.
        guard !trimmed.contains(where: { $0 == "x" || $0 == "X" }) else { return nil }
        return Float(trimmed)
    }
}

/// Splits bytes into records of fields, following RFC 4180 quoting.
private struct CSVScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    let name: String
    private var index = 0
    private var line = 1
    private static let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), newline = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")

    init(bytes: UnsafeBufferPointer<UInt8>, name: String) {
        self.bytes = bytes
        self.name = name
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }  // a UTF-8 byte-order mark, as Excel writes
    }

    /// Reads the next record into `fields`; returns the line it starts on, or nil at the end.
    mutating func nextRecord(into fields: inout [CSVField]) throws -> Int? {
        guard index < bytes.count else { return nil }
        fields.removeAll(keepingCapacity: true)
        let startLine = line
        while true {
            let fieldLine = line
            let (text, isQuoted) = bytes[index...].first == Self.quote ? (try quotedField(), true) : (unquotedField(), false)
            fields.append(CSVField(text: text, line: fieldLine, isQuoted: isQuoted))
            guard fields.count <= CSV.maxColumns else {
                throw FormatError(file: name, at: .line(startLine), "row has more than \(CSV.maxColumns) columns",
                                  hint: "is this a CSV file with one sample per line?")
            }
            guard index < bytes.count else { return startLine }
            let separator = bytes[index]
            index += 1
            if separator == Self.comma { continue }
            if separator == Self.cr, index < bytes.count, bytes[index] == Self.newline { index += 1 }
            line += 1
            return startLine
        }
    }

    private mutating func unquotedField() -> String {
        let start = index
        while index < bytes.count, ![Self.comma, Self.newline, Self.cr].contains(bytes[index]) { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// A field in double quotes, where `""` stands for one quote and newlines are part of the field.
    private mutating func quotedField() throws -> String {
        let (startLine, startIndex) = (line, index)
        index += 1
        var text: [UInt8] = []
        while true {
            guard index < bytes.count else {
                throw FormatError(file: name, at: .line(startLine), "quoted field never closes",
                                  hint: "a \" is missing at the end of the field that starts at byte \(startIndex)")
            }
            let byte = bytes[index]
            index += 1
            if byte == Self.quote {
                guard index < bytes.count, bytes[index] == Self.quote else { break }
                index += 1
            } else if byte == Self.newline {
                line += 1
            }
            text.append(byte)
        }
        while index < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") { index += 1 }
        guard index == bytes.count || [Self.comma, Self.newline, Self.cr].contains(bytes[index]) else {
            throw FormatError(file: name, at: .line(line), "unexpected text after a closing quote",
                              hint: "write a quote inside a quoted field as \"\"")
        }
        return String(decoding: text, as: UTF8.self)
    }
}
