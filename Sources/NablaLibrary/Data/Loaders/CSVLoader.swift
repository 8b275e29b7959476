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
    /// The cells of the text column, one per row, when the file was read with a `textColumn` that
    /// holds a cell that is not a number (a class name such as `setosa`); `nil` when every cell of
    /// it was a number. That column's `values` are 0 then.
    public var text: [String]?

    /// Creates a table; `values` must hold `rows * columns` cells, and `text` one per row.
    public init(header: [String]?, rows: Int, columns: Int, values: [Float], text: [String]? = nil) {
        precondition(values.count == rows * columns, "CSVTable: \(rows)x\(columns) needs \(rows * columns) values, got \(values.count)")
        precondition(header == nil || header!.count == columns, "CSVTable: header has \(header!.count) names for \(columns) columns")
        self.header = header
        self.rows = rows
        self.columns = columns
        self.values = values
        precondition(text == nil || text!.count == rows, "CSVTable: \(text!.count) text cells for \(rows) rows")
        self.text = text
    }
}

/// Numeric CSV (RFC 4180): comma-separated, optional header, quoted fields, LF or CRLF line ends;
/// one column may hold text, such as class names.
///
/// Memory stays on the order of the file's size: cells are parsed as they are scanned, into one
/// `[Float]`, with no `String` or array per cell (only the header, the first row until it is known
/// not to be one, and the text column's cells become strings).
///
/// ```swift
/// let table = try CSV.read(contentsOf: URL(fileURLWithPath: "iris.csv"), textColumn: -1)
/// let (x, y) = CSV.features(table)          // label = last column; table.text holds "setosa", … if it is text
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
    ///   - textColumn: a column (negative counts from the end) whose cells may be text; see
    ///     `CSVTable.text`. It does not count when detecting a header. Out of range, it is ignored.
    /// - Throws: `FileError` if the file can't be read; `FormatError` naming the line and column of a
    ///   cell that is not a (finite) number, a row of the wrong width, or a malformed quoted field.
    public static func read(contentsOf url: URL, hasHeader: Bool? = nil, allowNonFinite: Bool = false,
                            textColumn: Int? = nil) throws -> CSVTable {
        try read(data: AtomicFile.read(url), name: url.lastPathComponent, hasHeader: hasHeader, allowNonFinite: allowNonFinite,
                 textColumn: textColumn)
    }

    /// Parses CSV bytes held in memory; `name` appears in error messages.
    public static func read(data: Data, name: String, hasHeader: Bool? = nil, allowNonFinite: Bool = false,
                            textColumn: Int? = nil) throws -> CSVTable {
        try data.withUnsafeBytes { raw in
            var scanner = CSVScanner(bytes: raw.bindMemory(to: UInt8.self), name: name)
            let bytes = raw.bindMemory(to: UInt8.self)
            var builder = CSVTableBuilder(bytes: bytes, name: name, hasHeader: hasHeader, allowNonFinite: allowNonFinite,
                                          textColumn: textColumn)
            while try scanner.nextField({ try builder.add($0) }) {}
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

/// Collects cells as they are scanned: detects the header, checks widths and numbers, keeps the text column.
private struct CSVTableBuilder {
    let bytes: UnsafeBufferPointer<UInt8>
    let name: String
    let hasHeader: Bool?
    let allowNonFinite: Bool
    let requestedTextColumn: Int?
    var header: [String]?
    var columns: Int?
    var textColumn: Int?
    var firstLine = 0
    var rows = 0
    var values: [Float] = []
    var text: [String] = []
    var textIsNumeric = true
    /// The first row's width so far, and its cells that are not numbers: whether it is a header is
    /// known at its end, and then it is read again.
    var firstRowCount = 0
    var firstRowNonNumbers: [Int] = []
    var cellsInRecord = 0
    var blankLine: Int?
    var parser = CSVNumberParser()

    init(bytes: UnsafeBufferPointer<UInt8>, name: String, hasHeader: Bool?, allowNonFinite: Bool, textColumn: Int?) {
        self.bytes = bytes
        self.name = name
        self.hasHeader = hasHeader
        self.allowNonFinite = allowNonFinite
        self.requestedTextColumn = textColumn
    }

    mutating func add(_ cell: CSVCell) throws {
        defer { cellsInRecord = cell.endsRecord ? 0 : cellsInRecord + 1 }
        if cellsInRecord == 0, cell.endsRecord, cell.isBlank {
            blankLine = blankLine ?? cell.recordLine
            return
        }
        if let blank = blankLine, columns != nil || firstRowCount > 0 {
            throw FormatError(file: name, at: .line(blank), "blank line inside the data", hint: "remove it")
        }
        blankLine = nil
        guard let columns else { return try addFirstRow(cell) }
        let index = cellsInRecord
        guard cellsInRecord + 1 <= CSV.maxColumns else { throw Self.tooWide(name, cell.recordLine) }
        if index < columns { try appendCell(cell, column: index) }
        guard cell.endsRecord else { return }
        guard index + 1 == columns else {
            throw FormatError(file: name, at: .line(cell.recordLine), "\(index + 1) fields, expected \(columns) as on line \(firstLine)",
                              hint: "every row needs the same number of columns")
        }
        rows += 1
    }

    static func tooWide(_ name: String, _ line: Int) -> FormatError {
        FormatError(file: name, at: .line(line), "row has more than \(CSV.maxColumns) columns",
                    hint: "is this a CSV file with one sample per line?")
    }

    /// Counts the first row's cells, noting those that are not numbers; at its end, reads it again
    /// as the header or as the first data row.
    private mutating func addFirstRow(_ cell: CSVCell) throws {
        guard firstRowCount < CSV.maxColumns else { throw Self.tooWide(name, cell.recordLine) }
        if parser.number(cell.bytes) == nil { firstRowNonNumbers.append(firstRowCount) }
        firstRowCount += 1
        guard cell.endsRecord else { return }
        let count = firstRowCount
        columns = count
        firstLine = cell.recordLine
        if let column = requestedTextColumn, (-count..<count).contains(column) { textColumn = column < 0 ? count + column : column }
        let isHeader = hasHeader ?? firstRowNonNumbers.contains { $0 != textColumn }
        firstRowNonNumbers = []
        var names: [String] = []
        try rereadFirstRow { builder, cell, column in
            if isHeader { names.append(cell.text) } else { try builder.appendCell(cell, column: column) }
        }
        if isHeader { header = names } else { rows += 1 }
    }

    /// Calls `body` with each cell of the first row that is not a blank line.
    private mutating func rereadFirstRow(_ body: (inout CSVTableBuilder, CSVCell, Int) throws -> Void) throws {
        var scanner = CSVScanner(bytes: bytes, name: name)
        var column = 0, done = false
        while !done, try scanner.nextField({ cell in
            if column == 0, cell.endsRecord, cell.isBlank { return }
            try body(&self, cell, column)
            column += 1
            done = cell.endsRecord
        }) {}
    }

    private mutating func appendCell(_ cell: CSVCell, column: Int) throws {
        let isText = column == textColumn
        guard let value = parser.number(cell.bytes) else {
            let blank = cell.bytes.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
            if isText, !blank {
                text.append(cell.text.trimmingCharacters(in: .whitespaces))
                textIsNumeric = false
                values.append(0)
                return
            }
            let raw = cell.text
            let shown = raw.count > 40 ? String(raw.prefix(40)) + "..." : raw
            throw FormatError(file: name, at: .cell(line: cell.line, column: column + 1),
                              blank ? "empty cell" : "\(JSONValue.quoted(shown)) is not a number",
                              hint: blank ? "fill in or drop rows with missing values" : nil)
        }
        guard value.isFinite || allowNonFinite else {
            let trimmed = cell.text.trimmingCharacters(in: .whitespaces)
            let overflow = !trimmed.lowercased().contains("nan") && !trimmed.lowercased().contains("inf")
            throw FormatError(file: name, at: .cell(line: cell.line, column: column + 1),
                              overflow ? "\(trimmed) is beyond a 32-bit float's range (±3.4e38)" : "\(trimmed) is not a finite number",
                              hint: "training cannot use NaN or infinite values; fix or drop the row")
        }
        if isText { text.append(cell.text.trimmingCharacters(in: .whitespaces)) }
        values.append(value)
    }

    func table() throws -> CSVTable {
        guard let columns else {
            throw FormatError(file: name, at: .file, "file holds no rows", hint: "is the file empty?")
        }
        return CSVTable(header: header, rows: rows, columns: columns, values: values, text: textIsNumeric ? nil : text)
    }

    /// A decimal number, `nan` or `inf`, ignoring spaces around it.
    static func number(_ text: String) -> Float? {
        var parser = CSVNumberParser()
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { parser.number(UnsafeBufferPointer($0)) }
    }
}
