#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One cell as the scanner found it: its bytes (quotes removed and `""` unescaped), where it starts,
/// and whether it ends its record. The bytes stay valid until the next call to `nextField`.
struct CSVCell {
    var bytes: UnsafeBufferPointer<UInt8>
    var line: Int
    var isQuoted: Bool
    var endsRecord: Bool
    /// The line its record starts on.
    var recordLine: Int

    var text: String { String(decoding: bytes, as: UTF8.self) }
    var isBlank: Bool { !isQuoted && bytes.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") } }
}

/// Splits bytes into cells, one at a time, following RFC 4180 quoting. Nothing is kept per cell:
/// an unquoted cell is a view of the input, a quoted one is unescaped into one reused buffer.
struct CSVScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    let name: String
    private var index = 0
    private var line = 1
    private var recordLine = 1
    private var atRecordStart = true
    private var unescaped: [UInt8] = []
    private static let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), newline = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")

    init(bytes: UnsafeBufferPointer<UInt8>, name: String) {
        self.bytes = bytes
        self.name = name
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }  // a UTF-8 byte-order mark, as Excel writes
    }

    /// Calls `body` with the next cell; returns false at the end of the input.
    mutating func nextField(_ body: (CSVCell) throws -> Void) throws -> Bool {
        guard index < bytes.count || !atRecordStart else { return false }
        if atRecordStart { recordLine = line }
        let fieldLine = line
        let isQuoted = index < bytes.count && bytes[index] == Self.quote
        let range = isQuoted ? nil : unquotedField()
        if isQuoted { try quotedField() }
        var endsRecord = true
        if index < bytes.count {
            let separator = bytes[index]
            index += 1
            if separator == Self.comma {
                endsRecord = false
            } else {
                if separator == Self.cr, index < bytes.count, bytes[index] == Self.newline { index += 1 }
                line += 1
            }
        }
        atRecordStart = endsRecord
        let recordLine = self.recordLine
        if let range {
            try body(CSVCell(bytes: UnsafeBufferPointer(rebasing: bytes[range]), line: fieldLine, isQuoted: false,
                             endsRecord: endsRecord, recordLine: recordLine))
        } else {
            try unescaped.withUnsafeBufferPointer {
                try body(CSVCell(bytes: $0, line: fieldLine, isQuoted: true, endsRecord: endsRecord, recordLine: recordLine))
            }
        }
        return true
    }

    private mutating func unquotedField() -> Range<Int> {
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == Self.comma || byte == Self.newline || byte == Self.cr { break }
            index += 1
        }
        return start..<index
    }

    /// A field in double quotes, where `""` stands for one quote and newlines are part of the field.
    private mutating func quotedField() throws {
        let (startLine, startIndex) = (line, index)
        index += 1
        unescaped.removeAll(keepingCapacity: true)
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
            unescaped.append(byte)
        }
        while index < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") { index += 1 }
        guard index == bytes.count || [Self.comma, Self.newline, Self.cr].contains(bytes[index]) else {
            throw FormatError(file: name, at: .line(line), "unexpected text after a closing quote",
                              hint: "write a quote inside a quoted field as \"\"")
        }
    }
}

/// Reads decimal numbers from bytes without making a `String` of each.
struct CSVNumberParser {
    private var buffer = [CChar](repeating: 0, count: 64)

    /// A decimal number, `nan` or `inf`, ignoring spaces and tabs around it; `nil` for anything else
    /// (hexadecimal too, which `strtof` takes but no CSV writer means).
    mutating func number(_ bytes: UnsafeBufferPointer<UInt8>) -> Float? {
        var start = 0, end = bytes.count
        while start < end, bytes[start] == UInt8(ascii: " ") || bytes[start] == UInt8(ascii: "\t") { start += 1 }
        while end > start, bytes[end - 1] == UInt8(ascii: " ") || bytes[end - 1] == UInt8(ascii: "\t") { end -= 1 }
        guard start < end else { return nil }
        if end - start >= buffer.count { buffer = [CChar](repeating: 0, count: end - start + 1) }
        for i in start..<end {
            let byte = bytes[i]
            // strtof would skip other white space, and read hexadecimal and a NUL's prefix.
            guard byte != UInt8(ascii: "x"), byte != UInt8(ascii: "X"), byte > 0x20 else { return nil }
            buffer[i - start] = CChar(bitPattern: byte)
        }
        buffer[end - start] = 0
        return buffer.withUnsafeBufferPointer { text -> Float? in
            var stop: UnsafeMutablePointer<CChar>?
            let value = strtof(text.baseAddress!, &stop)
            return stop.map { $0 - UnsafeMutablePointer(mutating: text.baseAddress!) } == end - start ? value : nil
        }
    }
}
