import Foundation
import NablaCore
import NablaBackend

/// Netpbm grayscale images (PGM): binary `P5` and plain-text `P2`, 8 or 16 bits.
///
/// ```swift
/// let image = try PGM.read(contentsOf: URL(fileURLWithPath: "shoe.pgm"))   // [1, H, W] in [0, 1]
/// ```
public enum PGM {
    /// Reads a PGM file as a [1, height, width] tensor scaled to [0, 1].
    public static func read(contentsOf url: URL) throws -> Tensor {
        try read(data: AtomicFile.read(url), name: url.lastPathComponent)
    }

    /// Parses PGM bytes; `name` appears in error messages.
    public static func read(data: Data, name: String) throws -> Tensor {
        let bytes = [UInt8](data)
        var reader = HeaderReader(bytes: bytes, name: name)
        let magic = try reader.token()
        guard magic == "P5" || magic == "P2" else {
            throw FormatError(file: name, at: .byte(0), "bad magic \"\(magic.prefix(8))\" (expected P5 or P2)", hint: "is this a PGM image?")
        }
        let width = try reader.number("width"), height = try reader.number("height"), maxValue = try reader.number("maximum value")
        guard width > 0, height > 0, width <= 1 << 14, height <= 1 << 14 else {
            throw FormatError(file: name, at: .byte(reader.position), "image size \(width)×\(height) is out of range", hint: "expected 1 to 16384 pixels per side")
        }
        guard maxValue > 0, maxValue < 65536 else {
            throw FormatError(file: name, at: .byte(reader.position), "maximum value \(maxValue) is out of range", hint: "expected 1 to 65535")
        }
        let count = width * height
        // A plain pixel takes a separator and a digit at least: check before reserving room for them all.
        guard magic == "P5" || bytes.count - reader.position >= 2 * count else {
            throw FormatError(file: name, at: .byte(bytes.count), "the header promises \(count) pixels but \(bytes.count - reader.position) bytes follow",
                              hint: "the file is truncated")
        }
        let values = magic == "P5" ? try binaryPixels(bytes, from: reader.position + 1, count: count, wide: maxValue > 255, name: name)
                                   : try (0..<count).map { _ in try reader.number("pixel") }
        let scale = 1 / Float(maxValue)
        return Tensor(shape: [1, height, width], scalars: values.map { Float(Swift.min($0, maxValue)) * scale })
    }

    private static func binaryPixels(_ bytes: [UInt8], from start: Int, count: Int, wide: Bool, name: String) throws -> [Int] {
        let needed = count * (wide ? 2 : 1)
        guard start + needed <= bytes.count else {
            throw FormatError(file: name, at: .byte(bytes.count), "the header promises \(needed) bytes of pixels but \(Swift.max(bytes.count - start, 0)) follow",
                              hint: "the file is truncated")
        }
        if !wide { return bytes[start..<(start + count)].map(Int.init) }
        return (0..<count).map { Int(bytes[start + 2 * $0]) << 8 | Int(bytes[start + 2 * $0 + 1]) }
    }

    /// Whitespace-separated header tokens, skipping `#` comments.
    private struct HeaderReader {
        let bytes: [UInt8]
        let name: String
        var position = 0

        init(bytes: [UInt8], name: String) {
            self.bytes = bytes
            self.name = name
        }

        mutating func token() throws -> String {
            while position < bytes.count {
                if bytes[position] == UInt8(ascii: "#") {
                    while position < bytes.count && bytes[position] != 10 { position += 1 }
                } else if [9, 10, 13, 32].contains(bytes[position]) {
                    position += 1
                } else {
                    break
                }
            }
            let start = position
            while position < bytes.count && ![9, 10, 13, 32].contains(bytes[position]) && position - start < 16 { position += 1 }
            guard position > start else {
                throw FormatError(file: name, at: .byte(position), "the file ends inside the header", hint: "the file is truncated")
            }
            return String(decoding: bytes[start..<position], as: UTF8.self)
        }

        mutating func number(_ what: String) throws -> Int {
            let start = position
            let text = try token()
            guard let value = Int(text), value >= 0 else {
                throw FormatError(file: name, at: .byte(start), "\(what) \"\(text)\" is not a non-negative integer", hint: "is this a PGM image?")
            }
            return value
        }
    }
}
