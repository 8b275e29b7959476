import Foundation
import NablaCore
import NablaBackend

/// The Hugging Face safetensors format: an 8-byte little-endian header length, a JSON header
/// naming each tensor's dtype, shape and byte range, then the packed little-endian data.
///
/// ```swift
/// try Safetensors.write(["fc.weight": w, "fc.bias": b], metadata: ["epoch": "3"], to: url)
/// let (tensors, metadata) = try Safetensors.read(contentsOf: url)
/// ```
public enum Safetensors {
    /// The reference implementation's limit on the JSON header (100 MB).
    public static let maxHeaderBytes = 100_000_000

    /// Reads every tensor, converting F64, F16, BF16 and integer dtypes to Float32.
    ///
    /// - Throws: `FileError` if the file can't be read, `FormatError` if it is malformed.
    public static func read(contentsOf url: URL) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        try read(data: AtomicFile.read(url), name: url.lastPathComponent)
    }

    /// Parses a safetensors file held in memory; `name` appears in error messages.
    public static func read(data: Data, name: String) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        try data.withUnsafeBytes { bytes in
            let (header, dataStart) = try parseHeader(bytes, name: name)
            let layout = try SafetensorsLayout(header, name: name)
            try layout.checkCoverage(bufferSize: bytes.count - dataStart, dataStart: dataStart)
            var tensors: [String: Tensor] = [:]
            for entry in layout.entries {
                let raw = UnsafeRawBufferPointer(rebasing: bytes[dataStart + entry.begin..<dataStart + entry.end])
                tensors[entry.name] = Tensor(shape: entry.shape, scalars: ScalarCodec.decode(raw, as: entry.kind, bigEndian: false))
            }
            return (tensors, layout.metadata)
        }
    }

    /// Writes `tensors` as F32, names sorted, atomically (see `AtomicFile`).
    ///
    /// - Precondition: no tensor is named `__metadata__`, which the format reserves.
    public static func write(_ tensors: [String: Tensor], metadata: [String: String] = [:], to url: URL) throws {
        try AtomicFile.write(encode(tensors, metadata: metadata), to: url)
    }

    /// The bytes of a safetensors file holding `tensors` as F32, laid out as the reference
    /// implementation does: sorted names, header padded with spaces to a multiple of 8.
    public static func encode(_ tensors: [String: Tensor], metadata: [String: String] = [:]) -> Data {
        precondition(tensors["__metadata__"] == nil, "Safetensors.write: the name __metadata__ is reserved for metadata")
        let names = tensors.keys.sorted()
        var entries: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { JSONValue.quoted($0) + ":" + JSONValue.quoted(metadata[$0]!) }
            entries.append("\"__metadata__\":{" + pairs.joined(separator: ",") + "}")
        }
        var offset = 0
        for name in names {
            let tensor = tensors[name]!
            let end = offset + tensor.count * 4
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            entries.append(JSONValue.quoted(name) + ":{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var header = Array(("{" + entries.joined(separator: ",") + "}").utf8)
        header += repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8)
        var file = Data(capacity: 8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(contentsOf: header)
        for name in names {
            file.append(contentsOf: tensors[name]!.withUnsafeBufferPointer { ScalarCodec.encode($0, as: .float32, bigEndian: false) })
        }
        return file
    }

    /// Reads the length prefix and parses the JSON header; returns it with the data's start offset.
    private static func parseHeader(_ bytes: UnsafeRawBufferPointer, name: String) throws -> (JSONValue, Int) {
        guard bytes.count >= 8 else {
            throw FormatError(file: name, at: .byte(0), "file is \(bytes.count) bytes, too short for the 8-byte header length",
                              hint: "the file is truncated or is not a safetensors file")
        }
        let length = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        guard length <= UInt64(maxHeaderBytes) else {
            throw FormatError(file: name, at: .byte(0), "header length \(length) exceeds the \(maxHeaderBytes)-byte limit",
                              hint: "is this a safetensors file?")
        }
        guard Int(length) <= bytes.count - 8 else {
            throw FormatError(file: name, at: .byte(0),
                              "header length \(length) runs past the end of the file (\(bytes.count - 8) bytes follow)",
                              hint: "the file is truncated")
        }
        let json = UnsafeRawBufferPointer(rebasing: bytes[8..<8 + Int(length)]).bindMemory(to: UInt8.self)
        guard json.first == UInt8(ascii: "{") else {
            throw FormatError(file: name, at: .byte(8), "header does not start with '{'", hint: "is this a safetensors file?")
        }
        return (try JSONValue.parse(json, name: name, baseOffset: 8), 8 + Int(length))
    }
}

/// One tensor's entry in the header.
package struct SafetensorsEntry {
    let name: String
    let kind: ScalarKind
    let shape: [Int]
    let begin: Int
    let end: Int
}

/// The validated header: every entry well-typed, sized to match its shape and dtype.
package struct SafetensorsLayout {
    private(set) var entries: [SafetensorsEntry] = []
    private(set) var metadata: [String: String] = [:]
    private let name: String

    private static let dtypes: [String: ScalarKind] = [
        "F64": .float64, "F32": .float32, "F16": .float16, "BF16": .bfloat16, "I64": .int64, "I32": .int32,
        "I16": .int16, "I8": .int8, "U64": .uint64, "U32": .uint32, "U16": .uint16, "U8": .uint8, "BOOL": .bool,
    ]

    init(_ header: JSONValue, name: String) throws {
        self.name = name
        guard case .object(let members) = header else { throw problem("header is not a JSON object") }
        for key in members.keys.sorted() {
            if key == "__metadata__" {
                metadata = try Self.parseMetadata(members[key]!, name: name)
            } else {
                entries.append(try parseEntry(key, members[key]!))
            }
        }
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
    }

    /// The entries must tile the data buffer exactly: no gaps, no overlaps, nothing left over.
    func checkCoverage(bufferSize: Int, dataStart: Int) throws {
        var expected = 0
        for entry in entries {
            guard entry.begin == expected else {
                let what = entry.begin > expected ? "leaves a gap after byte \(expected)" : "overlaps the previous tensor"
                throw problem("tensor \(JSONValue.quoted(entry.name)) at data_offsets [\(entry.begin), \(entry.end)] \(what)")
            }
            guard entry.end <= bufferSize else {
                let problem = "tensor \(JSONValue.quoted(entry.name)) ends at data offset \(entry.end)"
                    + " but the data section has \(bufferSize) bytes"
                throw FormatError(file: name, at: .byte(dataStart + bufferSize), problem, hint: "the file is truncated")
            }
            expected = entry.end
        }
        guard expected == bufferSize else {
            throw problem("\(bufferSize - expected) bytes after the last tensor are not described by the header")
        }
    }

    private static func parseMetadata(_ value: JSONValue, name: String) throws -> [String: String] {
        guard case .object(let members) = value else {
            throw FormatError(file: name, at: .byte(8), "__metadata__ is \(value.kind), expected an object of strings")
        }
        return try members.mapValues { value in
            guard case .string(let text) = value else {
                throw FormatError(file: name, at: .byte(8), "__metadata__ value is \(value.kind), expected a string")
            }
            return text
        }
    }

    private func parseEntry(_ tensor: String, _ value: JSONValue) throws -> SafetensorsEntry {
        let label = "tensor \(JSONValue.quoted(tensor))"
        guard case .object(let fields) = value else { throw problem("\(label) is \(value.kind), expected an object") }
        if let unknown = fields.keys.sorted().first(where: { !["dtype", "shape", "data_offsets"].contains($0) }) {
            throw problem("\(label) has unknown field \(JSONValue.quoted(unknown))")
        }
        guard case .string(let dtype)? = fields["dtype"] else { throw problem("\(label) needs a string \"dtype\"") }
        guard let kind = Self.dtypes[dtype] else {
            throw problem("\(label) has unsupported dtype \(JSONValue.quoted(dtype))",
                          hint: "supported: " + Self.dtypes.keys.sorted().joined(separator: ", "))
        }
        let shape = try integers(fields["shape"], label: "\(label) \"shape\"")
        let offsets = try integers(fields["data_offsets"], label: "\(label) \"data_offsets\"")
        guard offsets.count == 2, offsets[0] <= offsets[1] else {
            throw problem("\(label) \"data_offsets\" must be [begin, end] with begin <= end, got \(offsets)")
        }
        try checkSize(label, shape: shape, kind: kind, dtype: dtype, bytes: offsets[1] - offsets[0])
        return SafetensorsEntry(name: tensor, kind: kind, shape: shape, begin: offsets[0], end: offsets[1])
    }

    private func checkSize(_ label: String, shape: [Int], kind: ScalarKind, dtype: String, bytes: Int) throws {
        var count = kind.byteSize
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw problem("\(label) shape \(shape) overflows") }
            count = product
        }
        guard count == bytes else {
            throw problem("\(label) has \(bytes) bytes in data_offsets but shape \(shape) of \(dtype) needs \(count)")
        }
    }

    private func integers(_ value: JSONValue?, label: String) throws -> [Int] {
        guard case .array(let elements)? = value else { throw problem("\(label) must be an array of integers") }
        return try elements.map { element in
            guard let integer = element.integer, integer >= 0 else {
                throw problem("\(label) must hold non-negative integers that fit in 64 bits")
            }
            return integer
        }
    }

    private func problem(_ text: String, hint: String? = nil) -> FormatError {
        FormatError(file: name, at: .byte(8), text, hint: hint)
    }
}
