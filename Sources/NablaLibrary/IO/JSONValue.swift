import Foundation
import NablaCore
import NablaBackend

/// A parsed JSON value (RFC 8259). Numbers keep their source text so that large integers
/// (byte offsets) are read exactly instead of through Double.
package indirect enum JSONValue: Equatable {
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    /// The value as an `Int`, if it is an integral number that fits.
    var integer: Int? {
        if case .number(let text) = self { return Int(text) }
        return nil
    }

    /// A short name for error messages, e.g. "a string".
    var kind: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        }
    }

    /// `text` as a JSON string literal, quotes included.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let digits = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Parses `bytes` as exactly one JSON value surrounded by optional whitespace.
    ///
    /// - Parameter baseOffset: the file offset of `bytes[0]`, so that errors point into the file.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, name: String, baseOffset: Int) throws -> JSONValue {
        var parser = JSONParser(bytes: bytes, name: name, baseOffset: baseOffset)
        return try parser.parseDocument()
    }
}

/// A recursive-descent parser with a depth limit, so that hostile nesting cannot overflow the stack.
private struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    let name: String
    let baseOffset: Int
    var index = 0
    var depth = 0
    static let maxDepth = 64

    init(bytes: UnsafeBufferPointer<UInt8>, name: String, baseOffset: Int) {
        self.bytes = bytes
        self.name = name
        self.baseOffset = baseOffset
    }

    mutating func parseDocument() throws -> JSONValue {
        let value = try parseValue()
        skipWhitespace()
        guard index == bytes.count else { throw error("unexpected \(describeNext()) after the JSON value") }
        return value
    }

    private mutating func parseValue() throws -> JSONValue {
        skipWhitespace()
        guard index < bytes.count else { throw error("JSON ends where a value was expected") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try nested { try $0.parseObject() }
        case UInt8(ascii: "["): return try nested { try $0.parseArray() }
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectWord("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectWord("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectWord("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw error("unexpected \(describeNext()) where a JSON value was expected")
        }
    }

    private mutating func nested(_ body: (inout JSONParser) throws -> JSONValue) throws -> JSONValue {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { throw error("JSON nested more than \(Self.maxDepth) levels deep") }
        return try body(&self)
    }

    private mutating func parseObject() throws -> JSONValue {
        index += 1
        var members: [String: JSONValue] = [:]
        if consume("}") { return .object(members) }
        repeat {
            skipWhitespace()
            let keyOffset = index
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw error("expected a quoted key, found \(describeNext())")
            }
            let key = try parseString()
            guard consume(":") else { throw error("expected ':' after key \(JSONValue.quoted(key))") }
            guard members.updateValue(try parseValue(), forKey: key) == nil else {
                throw error("duplicate key \(JSONValue.quoted(key))", at: keyOffset)
            }
        } while consume(",")
        guard consume("}") else { throw error("expected ',' or '}' in object, found \(describeNext())") }
        return .object(members)
    }

    private mutating func parseArray() throws -> JSONValue {
        index += 1
        var elements: [JSONValue] = []
        if consume("]") { return .array(elements) }
        repeat { elements.append(try parseValue()) } while consume(",")
        guard consume("]") else { throw error("expected ',' or ']' in array, found \(describeNext())") }
        return .array(elements)
    }

    private mutating func parseString() throws -> String {
        let start = index
        index += 1
        var utf8: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(bytes: utf8, encoding: .utf8) else { throw error("string is not valid UTF-8", at: start) }
                return text
            case UInt8(ascii: "\\"): try appendEscape(to: &utf8)
            case 0..<0x20: throw error("control character 0x\(String(byte, radix: 16)) inside a string", at: index - 1)
            default: utf8.append(byte)
            }
        }
        throw error("unterminated string", at: start)
    }

    private mutating func appendEscape(to utf8: inout [UInt8]) throws {
        guard index < bytes.count else { throw error("unterminated string") }
        let byte = bytes[index]
        index += 1
        let simple: [UInt8: UInt8] = [0x22: 0x22, 0x5C: 0x5C, 0x2F: 0x2F, 0x62: 0x08, 0x66: 0x0C, 0x6E: 0x0A, 0x72: 0x0D, 0x74: 0x09]
        if let replacement = simple[byte] { utf8.append(replacement); return }
        guard byte == UInt8(ascii: "u") else { throw error("invalid escape '\\\(Character(UnicodeScalar(byte)))'", at: index - 2) }
        var value = try parseHex4()
        if (0xD800..<0xDC00).contains(value) {
            guard consume("\\", skippingWhitespace: false), consume("u", skippingWhitespace: false) else {
                throw error("unpaired UTF-16 surrogate in \\u escape")
            }
            let low = try parseHex4()
            guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired UTF-16 surrogate in \\u escape") }
            value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let scalar = UnicodeScalar(value) else { throw error("\\u escape is not a Unicode scalar value") }
        utf8.append(contentsOf: Array(String(Character(scalar)).utf8))
    }

    private mutating func parseHex4() throws -> UInt32 {
        guard bytes.count - index >= 4,
              let value = UInt32(String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<index + 4]), as: UTF8.self), radix: 16)
        else { throw error("\\u must be followed by four hex digits") }
        index += 4
        return value
    }

    private mutating func parseNumber() throws -> String {
        let start = index
        _ = consume("-", skippingWhitespace: false)
        let integerStart = index
        let integerDigits = digits()
        guard integerDigits > 0 else { throw error("invalid number", at: start) }
        guard integerDigits == 1 || bytes[integerStart] != UInt8(ascii: "0") else {
            throw error("number has a leading zero", at: start)
        }
        if consume(".", skippingWhitespace: false) {
            guard digits() > 0 else { throw error("invalid number", at: start) }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw error("invalid number", at: start) }
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    }

    private mutating func digits() -> Int {
        let start = index
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        return index - start
    }

    private mutating func expectWord(_ word: String) throws {
        let start = index
        for byte in word.utf8 {
            guard index < bytes.count, bytes[index] == byte else { throw error("invalid literal, expected \(word)", at: start) }
            index += 1
        }
    }

    private mutating func consume(_ character: Unicode.Scalar, skippingWhitespace: Bool = true) -> Bool {
        if skippingWhitespace { skipWhitespace() }
        guard index < bytes.count, bytes[index] == UInt8(character.value) else { return false }
        index += 1
        return true
    }

    private mutating func skipWhitespace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    private func describeNext() -> String {
        guard index < bytes.count else { return "end of JSON" }
        let byte = bytes[index]
        return (0x21..<0x7F).contains(byte) ? "'\(Character(UnicodeScalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
    }

    private func error(_ problem: String, at offset: Int? = nil) -> FormatError {
        FormatError(file: name, at: .byte(baseOffset + (offset ?? index)), problem, hint: "the JSON header is malformed")
    }
}
