import Foundation
import NablaCore
import NablaBackend

/// NumPy's `.npy` format, versions 1.0, 2.0 and 3.0: magic `\x93NUMPY`, version, header length,
/// a Python dict literal `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`, then the data.
///
/// ```swift
/// let x = try NPY.read(contentsOf: URL(fileURLWithPath: "features.npy"))   // any numeric dtype, as Float
/// try NPY.write(x, to: URL(fileURLWithPath: "copy.npy"))                  // float32, '<f4'
/// ```
public enum NPY {
    /// The longest header accepted, as in NumPy's own reader (`max_header_size` default).
    public static let maxHeaderBytes = 10_000

    /// Reads a C-order array of bool, integer or floating-point elements, converted to Float.
    ///
    /// - Throws: `FileError` if the file can't be read, `FormatError` if it is malformed or unsupported.
    public static func read(contentsOf url: URL) throws -> Tensor {
        try read(data: AtomicFile.read(url), name: url.lastPathComponent)
    }

    /// Parses `.npy` bytes held in memory; `name` appears in error messages.
    public static func read(data: Data, name: String) throws -> Tensor {
        try data.withUnsafeBytes { bytes in
            let (headerStart, dataStart) = try readPreamble(bytes, name: name)
            let header = try NPYHeader(parsing: Array(bytes[headerStart..<dataStart]), at: headerStart, name: name)
            let byteCount = try header.byteCount(name: name)
            let available = bytes.count - dataStart
            guard available >= byteCount else {
                throw FormatError(file: name, at: .byte(bytes.count),
                                  "header promises \(byteCount) bytes of data for shape \(header.shape) but only \(available) follow",
                                  hint: "the file is truncated")
            }
            guard available == byteCount else {
                throw FormatError(file: name, at: .byte(dataStart + byteCount),
                                  "\(available - byteCount) unexpected bytes after the data for shape \(header.shape)",
                                  hint: "is the header's shape right?")
            }
            let body = UnsafeRawBufferPointer(rebasing: bytes[dataStart...])
            return Tensor(shape: header.shape, scalars: ScalarCodec.decode(body, as: header.kind, bigEndian: header.bigEndian))
        }
    }

    /// Writes `tensor` as a little-endian float32 (`<f4`) array, atomically.
    public static func write(_ tensor: Tensor, to url: URL) throws {
        try AtomicFile.write(encode(tensor), to: url)
    }

    /// The bytes of a version 1.0 `.npy` file (2.0 if the header needs more than 65535 bytes),
    /// with the header padded so that the data starts at a multiple of 64 bytes, as NumPy does.
    public static func encode(_ tensor: Tensor) -> Data {
        let shape = tensor.shape.count == 1 ? "(\(tensor.shape[0]),)" : "(" + tensor.shape.map(String.init).joined(separator: ", ") + ")"
        var header = Array("{'descr': '<f4', 'fortran_order': False, 'shape': \(shape), }".utf8)
        let isVersion1 = header.count + 11 <= 65_535
        let preamble = isVersion1 ? 10 : 12
        header += repeatElement(UInt8(ascii: " "), count: (64 - (preamble + header.count + 1) % 64) % 64)
        header.append(UInt8(ascii: "\n"))
        var file: [UInt8] = [0x93] + Array("NUMPY".utf8) + [isVersion1 ? 1 : 2, 0]
        let length = header.count
        file += (0..<(isVersion1 ? 2 : 4)).map { UInt8(truncatingIfNeeded: length >> ($0 * 8)) }
        file += header
        file += tensor.withUnsafeBufferPointer { ScalarCodec.encode($0, as: .float32, bigEndian: false) }
        return Data(file)
    }

    /// Checks the magic and version; returns the offsets where the header and the data begin.
    private static func readPreamble(_ bytes: UnsafeRawBufferPointer, name: String) throws -> (Int, Int) {
        let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
        guard bytes.count >= 10 else {
            throw FormatError(file: name, at: .byte(bytes.count), "file is \(bytes.count) bytes, too short for the .npy preamble",
                              hint: "the file is truncated")
        }
        guard bytes.prefix(6).elementsEqual(magic) else {
            throw FormatError(file: name, at: .byte(0), "bad magic string (expected \\x93NUMPY)", hint: "is this a .npy file?")
        }
        let major = bytes[6]
        guard (1...3).contains(major), bytes[7] == 0 else {
            throw FormatError(file: name, at: .byte(6), "unsupported .npy version \(major).\(bytes[7])",
                              hint: "versions 1.0, 2.0 and 3.0 are supported")
        }
        let lengthSize = major == 1 ? 2 : 4
        guard bytes.count >= 8 + lengthSize else {
            throw FormatError(file: name, at: .byte(bytes.count), "file ends inside the header length", hint: "the file is truncated")
        }
        let length = (0..<lengthSize).reduce(0) { $0 | Int(bytes[8 + $1]) << ($1 * 8) }
        let start = 8 + lengthSize
        guard length <= maxHeaderBytes else {
            throw FormatError(file: name, at: .byte(8), "header length \(length) exceeds the \(maxHeaderBytes)-byte limit",
                              hint: "is this a .npy file?")
        }
        guard bytes.count - start >= length else {
            throw FormatError(file: name, at: .byte(bytes.count), "header length \(length) runs past the end of the file",
                              hint: "the file is truncated")
        }
        return (start, start + length)
    }
}

/// The parsed `descr`, `fortran_order` and `shape` of an `.npy` header.
package struct NPYHeader {
    let kind: ScalarKind
    let bigEndian: Bool
    let shape: [Int]

    /// Parses the header `bytes`, which start at file offset `offset`.
    init(parsing bytes: [UInt8], at offset: Int, name: String) throws {
        var parser = PythonLiteralParser(bytes: bytes, name: name, baseOffset: offset)
        let fields = try parser.parseHeaderDict()
        let error = { (problem: String, hint: String?) in FormatError(file: name, at: .byte(offset), problem, hint: hint) }
        guard case .string(let descr)? = fields["descr"] else {
            throw error("header 'descr' must be a dtype string like '<f4'", "structured dtypes are not supported")
        }
        guard case .bool(let fortranOrder)? = fields["fortran_order"] else {
            throw error("header 'fortran_order' must be True or False", nil)
        }
        guard !fortranOrder else {
            throw error("array is stored in Fortran (column-major) order", "save it with np.save(path, np.ascontiguousarray(a))")
        }
        guard case .tuple(let shape)? = fields["shape"] else { throw error("header 'shape' must be a tuple of integers", nil) }
        (kind, bigEndian) = try Self.parseDescr(descr, error: error)
        self.shape = shape
    }

    /// The data size the shape promises, refusing shapes whose size overflows.
    func byteCount(name: String) throws -> Int {
        var count = kind.byteSize
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else {
                throw FormatError(file: name, at: .byte(8), "shape \(shape) describes more bytes than can be addressed",
                                  hint: "the header is corrupt")
            }
            count = product
        }
        return count
    }

    private static let types: [String: ScalarKind] = [
        "b1": .bool, "u1": .uint8, "i1": .int8, "u2": .uint16, "i2": .int16, "u4": .uint32, "i4": .int32,
        "u8": .uint64, "i8": .int64, "f2": .float16, "f4": .float32, "f8": .float64,
    ]

    private static func parseDescr(_ descr: String, error: (String, String?) -> FormatError) throws -> (ScalarKind, Bool) {
        guard let order = descr.first, "<>|=".contains(order), let kind = types[String(descr.dropFirst())] else {
            throw error("unsupported dtype '\(descr)'", "supported: bool, int8-64, uint8-64, float16/32/64 ('<f4', '>i2', '|u1', ...)")
        }
        guard order != "|" || kind.byteSize == 1 else {
            throw error("dtype '\(descr)' has no byte order", "multi-byte dtypes need '<' or '>'")
        }
        return (kind, order == ">")
    }
}

/// A value in an `.npy` header: the subset of Python literals NumPy writes.
package enum PythonLiteral: Equatable {
    case string(String)
    case bool(Bool)
    case integer(Int)
    case tuple([Int])
}

/// A strict parser for the header dict; it evaluates nothing and accepts only NumPy's three keys.
package struct PythonLiteralParser {
    let bytes: [UInt8]
    let name: String
    let baseOffset: Int
    private var index = 0

    init(bytes: [UInt8], name: String, baseOffset: Int) {
        self.bytes = bytes
        self.name = name
        self.baseOffset = baseOffset
    }

    /// Parses `{'descr': ..., 'fortran_order': ..., 'shape': ...}` followed only by whitespace.
    mutating func parseHeaderDict() throws -> [String: PythonLiteral] {
        try expect("{")
        var fields: [String: PythonLiteral] = [:]
        while !consume("}") {
            let keyOffset = skipSpace()
            let key = try parseString()
            guard ["descr", "fortran_order", "shape"].contains(key) else { throw error("unexpected header key '\(key)'", at: keyOffset) }
            try expect(":")
            guard fields.updateValue(try parseValue(), forKey: key) == nil else {
                throw error("duplicate header key '\(key)'", at: keyOffset)
            }
            if !consume(",") {
                try expect("}")
                break
            }
        }
        skipSpace()
        guard index == bytes.count else { throw error("unexpected text after the header dict") }
        for key in ["descr", "fortran_order", "shape"] where fields[key] == nil {
            throw error("header lacks the key '\(key)'")
        }
        return fields
    }

    private mutating func parseValue() throws -> PythonLiteral {
        skipSpace()
        guard index < bytes.count else { throw error("header ends where a value was expected") }
        switch bytes[index] {
        case UInt8(ascii: "'"), UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "("): return .tuple(try parseTuple())
        case UInt8(ascii: "T"): try expectWord("True"); return .bool(true)
        case UInt8(ascii: "F"): try expectWord("False"); return .bool(false)
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return .integer(try parseInteger())
        case UInt8(ascii: "["): throw error("structured (record) dtypes are not supported")
        default: throw error("unexpected character in header")
        }
    }

    /// `()`, `(3,)` or `(2, 3)`, with an optional trailing comma; `(3)` is an int in Python, not a tuple.
    private mutating func parseTuple() throws -> [Int] {
        try expect("(")
        var elements: [Int] = []
        var sawComma = false
        while !consume(")") {
            skipSpace()
            elements.append(try parseInteger())
            sawComma = consume(",")
            if !sawComma {
                try expect(")")
                break
            }
        }
        guard elements.count != 1 || sawComma else { throw error("shape (\(elements[0])) lacks the comma that makes it a tuple") }
        return elements
    }

    private mutating func parseInteger() throws -> Int {
        let start = skipSpace()
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        guard let value = Int(String(decoding: bytes[start..<index], as: UTF8.self)) else {
            throw error("expected a non-negative integer that fits in 64 bits", at: start)
        }
        _ = consume("L", skippingSpace: false)  // Python 2 long literals, as in old files
        return value
    }

    private mutating func parseString() throws -> String {
        let start = skipSpace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "'") || bytes[index] == UInt8(ascii: "\"") else {
            throw error("expected a quoted string", at: start)
        }
        let quote = bytes[index]
        index += 1
        let contentStart = index
        while index < bytes.count, bytes[index] != quote {
            guard bytes[index] != UInt8(ascii: "\\"), bytes[index] >= 0x20 else { throw error("unsupported character in string") }
            index += 1
        }
        guard index < bytes.count else { throw error("unterminated string", at: start) }
        index += 1
        return String(decoding: bytes[contentStart..<index - 1], as: UTF8.self)
    }

    private mutating func expectWord(_ word: String) throws {
        let start = index
        guard bytes.count - index >= word.utf8.count, bytes[index..<index + word.utf8.count].elementsEqual(word.utf8) else {
            throw error("unexpected word in header", at: start)
        }
        index += word.utf8.count
    }

    private mutating func expect(_ character: Unicode.Scalar) throws {
        guard consume(character) else { throw error("expected '\(character)' in header") }
    }

    private mutating func consume(_ character: Unicode.Scalar, skippingSpace: Bool = true) -> Bool {
        if skippingSpace { skipSpace() }
        guard index < bytes.count, bytes[index] == UInt8(character.value) else { return false }
        index += 1
        return true
    }

    @discardableResult
    private mutating func skipSpace() -> Int {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        return index
    }

    private func error(_ problem: String, at offset: Int? = nil) -> FormatError {
        FormatError(file: name, at: .byte(baseOffset + (offset ?? index)), problem, hint: "the .npy header is malformed")
    }
}
