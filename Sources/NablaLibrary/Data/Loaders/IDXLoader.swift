import Foundation
import NablaCore
import NablaBackend

/// The IDX format of MNIST and Fashion-MNIST: two zero bytes, a type code, the number of
/// dimensions, each dimension as a big-endian UInt32, then the big-endian data.
///
/// ```swift
/// let images = try IDX.read(contentsOf: URL(fileURLWithPath: "train-images-idx3-ubyte.gz"))
/// images.shape   // [60000, 28, 28], values 0...255 (no scaling)
/// ```
public enum IDX {
    /// The element type stored in an IDX file.
    public enum TypeCode: UInt8, Sendable, CaseIterable {
        case unsignedByte = 0x08, signedByte = 0x09, short = 0x0B, int = 0x0C, float = 0x0D, double = 0x0E

        var kind: ScalarKind {
            switch self {
            case .unsignedByte: .uint8
            case .signedByte: .int8
            case .short: .int16
            case .int: .int32
            case .float: .float32
            case .double: .float64
            }
        }

        var label: String {
            switch self {
            case .unsignedByte: "unsigned-byte"
            case .signedByte: "signed-byte"
            case .short: "int16"
            case .int: "int32"
            case .float: "float32"
            case .double: "float64"
            }
        }
    }

    /// Reads an IDX file, raw or gzip-compressed (detected from its first bytes).
    ///
    /// - Parameter maxBytes: the largest decompressed size accepted, against gzip bombs.
    /// - Throws: `FileError` if the file can't be read, `FormatError` if it is malformed.
    public static func read(contentsOf url: URL, maxBytes: Int = Gzip.defaultMaxOutputBytes) throws -> Tensor {
        try read(data: AtomicFile.read(url), name: url.lastPathComponent, maxBytes: maxBytes)
    }

    /// Parses IDX bytes held in memory; `name` appears in error messages and, when it contains
    /// `idxN`, sets the number of dimensions the file must have.
    public static func read(data: Data, name: String, maxBytes: Int = Gzip.defaultMaxOutputBytes) throws -> Tensor {
        if Gzip.isGzip(data) {
            // The header says how many bytes the file holds; inflating stops as soon as it passes that.
            let head = try Gzip.prefix(data, name: name, count: 4 + 4 * 255)
            let (typeCode, shape) = try head.withUnsafeBytes { try parseHeader($0, name: name) }
            let (expected, overflow) = (4 + 4 * shape.count).addingReportingOverflow(try dataSize(shape: shape, typeCode: typeCode, name: name))
            guard !overflow else {
                throw FormatError(file: name, at: .byte(4), "dimensions \(shape) describe more bytes than can be addressed",
                                  hint: "the header is corrupt")
            }
            guard expected <= maxBytes else {
                throw FormatError(file: name, at: .byte(4), "header promises \(expected) bytes for shape \(shape), more than the \(maxBytes)-byte limit",
                                  hint: "raise maxBytes if the file is genuine")
            }
            let bytes: [UInt8]
            do {
                bytes = try Gzip.decompress(data, name: name, maxOutputBytes: expected)
            } catch let error as FormatError where error.problem.contains("exceeds the limit") {
                throw FormatError(file: name, at: error.location,
                                  "header promises \(expected - 4 - 4 * shape.count) bytes of data for shape \(shape), but the data inflates to more",
                                  hint: "the file is corrupt or a decompression bomb")
            }
            return try bytes.withUnsafeBytes { try parse($0, name: name) }
        }
        return try data.withUnsafeBytes { try parse($0, name: name) }
    }

    /// Writes `tensor` as IDX; a `.gz` URL gets a gzip wrapper of stored (uncompressed) blocks.
    ///
    /// - Precondition: every value fits `typeCode` exactly (e.g. integers 0...255 for `.unsignedByte`).
    public static func write(_ tensor: Tensor, to url: URL, typeCode: TypeCode = .unsignedByte) throws {
        var bytes = encode(tensor, typeCode: typeCode)
        if url.pathExtension == "gz" { bytes = [UInt8](Gzip.storedGzip(bytes)) }
        try AtomicFile.write(Data(bytes), to: url)
    }

    /// The bytes of an uncompressed IDX file holding `tensor`.
    public static func encode(_ tensor: Tensor, typeCode: TypeCode = .unsignedByte) -> [UInt8] {
        precondition((1...255).contains(tensor.shape.count), "IDX.write: rank \(tensor.shape.count) not in 1...255")
        precondition(tensor.shape.allSatisfy { $0 <= Int(UInt32.max) }, "IDX.write: dimension too large in \(tensor.shape)")
        var bytes: [UInt8] = [0, 0, typeCode.rawValue, UInt8(tensor.shape.count)]
        for dimension in tensor.shape {
            bytes += (0..<4).reversed().map { UInt8(truncatingIfNeeded: dimension >> ($0 * 8)) }
        }
        tensor.withUnsafeBufferPointer { values in
            precondition(ScalarCodec.fits(values, in: typeCode.kind),
                         "IDX.write: values must be integers that fit \(typeCode.label)")
            bytes += ScalarCodec.encode(values, as: typeCode.kind, bigEndian: true)
        }
        return bytes
    }

    private static func parse(_ bytes: UnsafeRawBufferPointer, name: String) throws -> Tensor {
        let (typeCode, shape) = try parseHeader(bytes, name: name)
        let headerSize = 4 + 4 * shape.count
        let byteCount = try dataSize(shape: shape, typeCode: typeCode, name: name)
        let available = bytes.count - headerSize
        guard available >= byteCount else {
            throw FormatError(file: name, at: .byte(bytes.count),
                              "header promises \(byteCount) bytes of data for shape \(shape) but only \(available) follow",
                              hint: "the file is truncated; download it again")
        }
        guard available == byteCount else {
            throw FormatError(file: name, at: .byte(headerSize + byteCount),
                              "\(available - byteCount) unexpected bytes after the data for shape \(shape)",
                              hint: "is the header's shape right?")
        }
        let body = UnsafeRawBufferPointer(rebasing: bytes[headerSize...])
        return Tensor(shape: shape, scalars: ScalarCodec.decode(body, as: typeCode.kind, bigEndian: true))
    }

    private static func parseHeader(_ bytes: UnsafeRawBufferPointer, name: String) throws -> (TypeCode, [Int]) {
        guard bytes.count >= 4 else {
            throw FormatError(file: name, at: .byte(bytes.count), "file is \(bytes.count) bytes, too short for the 4-byte IDX magic number",
                              hint: "the file is truncated")
        }
        let magic = (0..<4).reduce(0) { $0 << 8 | Int(bytes[$1]) }
        guard bytes[0] == 0, bytes[1] == 0 else {
            throw FormatError(file: name, at: .byte(0), "bad magic number \(hex(magic, digits: 8)) (IDX files start with two zero bytes)",
                              hint: "is this an IDX file?")
        }
        guard let typeCode = TypeCode(rawValue: bytes[2]) else {
            throw FormatError(file: name, at: .byte(2),
                              "bad magic number \(hex(magic, digits: 4)) (unknown type code \(hex(Int(bytes[2]), digits: 2)))",
                              hint: "is this an IDX file?")
        }
        let rank = Int(bytes[3])
        try checkRank(rank, typeCode: typeCode, magic: magic, name: name)
        guard bytes.count >= 4 + 4 * rank else {
            throw FormatError(file: name, at: .byte(bytes.count), "file ends inside the \(rank) dimension sizes",
                              hint: "the file is truncated; download it again")
        }
        let shape = (0..<rank).map { index in (0..<4).reduce(0) { $0 << 8 | Int(bytes[4 + 4 * index + $1]) } }
        return (typeCode, shape)
    }

    /// Zero dimensions is meaningless; a file named `...idxN...` must have N dimensions.
    private static func checkRank(_ rank: Int, typeCode: TypeCode, magic: Int, name: String) throws {
        if let expected = expectedRank(fromName: name), rank != 0, rank != expected {
            let what = expected == 1 ? "labels" : expected == 3 ? "images" : "\(expected)-d arrays"
            let expectedMagic = hex(Int(typeCode.rawValue) << 8 | expected, digits: 4)
            throw FormatError(file: name, at: .byte(2),
                              "bad magic number \(hex(magic, digits: 4)) (expected \(expectedMagic) for \(typeCode.label) \(what))",
                              hint: "is this an IDX file?")
        }
        guard rank > 0 else {
            throw FormatError(file: name, at: .byte(3), "IDX header declares zero dimensions", hint: "is this an IDX file?")
        }
    }

    /// The N in a name like `train-images-idx3-ubyte.gz`.
    private static func expectedRank(fromName name: String) -> Int? {
        guard let range = name.range(of: #"idx[0-9]+"#, options: .regularExpression) else { return nil }
        return Int(name[range].dropFirst(3))
    }

    /// The data size the header promises, refusing shapes whose size overflows.
    private static func dataSize(shape: [Int], typeCode: TypeCode, name: String) throws -> Int {
        var size = typeCode.kind.byteSize
        for dimension in shape {
            let (product, overflow) = size.multipliedReportingOverflow(by: dimension)
            guard !overflow else {
                throw FormatError(file: name, at: .byte(4), "dimensions \(shape) describe more bytes than can be addressed",
                                  hint: "the header is corrupt")
            }
            size = product
        }
        return size
    }

    private static func hex(_ value: Int, digits: Int) -> String {
        let text = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
