import NablaCore
import NablaBackend

/// A strict JSON (RFC 8259) parser that keeps each value's line, for model-spec messages.
/// Errors give the line and column: `model.json:4: invalid JSON at column 18: expected ',' or '}' …`.
package struct SpecJSONParser {
    private let bytes: [UInt8]
    private let file: String
    private var index = 0
    private var line = 1
    private var lineStart = 0
    private var depth = 0
    private var values = 0

    init(text: String, file: String) {
        bytes = Array(text.utf8)
        self.file = file
    }

    mutating func parseDocument() throws(ModelSpecError) -> SpecNode {
        skipWhitespace()
        guard index < bytes.count else {
            throw ModelSpecError(file: file, message: "the file is empty; a model spec needs \"input\" and \"layers\"")
        }
        let root = try parseValue()
        skipWhitespace()
        guard index == bytes.count else { throw failure("unexpected \(describeNext()) after the JSON value") }
        return root
    }

    private mutating func parseValue() throws(ModelSpecError) -> SpecNode {
        values += 1
        guard values <= SpecNode.maxValues else { throw failure("the document holds more than \(SpecNode.maxValues) values") }
        let startLine = line
        guard let next = peek() else { throw failure("expected a value, got the end of the file") }
        switch next {
        case UInt8(ascii: "{"): return SpecNode(value: try parseObject(), line: startLine)
        case UInt8(ascii: "["): return SpecNode(value: try parseArray(), line: startLine)
        case UInt8(ascii: "\""): return SpecNode(value: .string(try parseString()), line: startLine)
        case UInt8(ascii: "t"): try expectWord("true"); return SpecNode(value: .bool(true), line: startLine)
        case UInt8(ascii: "f"): try expectWord("false"); return SpecNode(value: .bool(false), line: startLine)
        case UInt8(ascii: "n"): try expectWord("null"); return SpecNode(value: .null, line: startLine)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return SpecNode(value: .number(try parseNumber()), line: startLine)
        default: throw failure("expected a value, got \(describeNext())")
        }
    }

    private mutating func parseObject() throws(ModelSpecError) -> SpecNode.Value {
        try enter()
        index += 1
        var pairs: [(key: String, value: SpecNode)] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .map(pairs)
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw failure("expected a quoted key, got \(describeNext())") }
            let keyLine = line
            let key = try parseString()
            guard !pairs.contains(where: { $0.key == key }) else {
                throw ModelSpecError(file: file, line: keyLine, message: "the key \"\(key)\" appears twice")
            }
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw failure("expected ':' after the key \"\(key)\", got \(describeNext())") }
            index += 1
            skipWhitespace()
            pairs.append((key, try parseValue()))
            skipWhitespace()
            if try closes(UInt8(ascii: "}")) { return .map(pairs) }
        }
    }

    private mutating func parseArray() throws(ModelSpecError) -> SpecNode.Value {
        try enter()
        index += 1
        var items: [SpecNode] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .list(items)
        }
        while true {
            skipWhitespace()
            items.append(try parseValue())
            skipWhitespace()
            if try closes(UInt8(ascii: "]")) { return .list(items) }
        }
    }

    private mutating func enter() throws(ModelSpecError) {
        depth += 1
        guard depth <= SpecNode.maxDepth else { throw failure("nesting is deeper than \(SpecNode.maxDepth) levels") }
    }

    /// After an element: true at the closing bracket, false after a comma (a trailing comma is an error).
    private mutating func closes(_ bracket: UInt8) throws(ModelSpecError) -> Bool {
        let what = bracket == UInt8(ascii: "]") ? "an array element" : "an object value"
        if peek() == bracket {
            index += 1
            depth -= 1
            return true
        }
        guard peek() == UInt8(ascii: ",") else {
            throw failure("expected ',' or '\(Character(Unicode.Scalar(bracket)))' after \(what), got \(describeNext())")
        }
        index += 1
        skipWhitespace()
        if peek() == bracket { throw failure("trailing comma before '\(Character(Unicode.Scalar(bracket)))'") }
        return false
    }

    private mutating func parseString() throws(ModelSpecError) -> String {
        let start = index
        index += 1
        var scalars = String.UnicodeScalarView()
        var run: [UInt8] = []
        while true {
            guard let byte = peek() else { throw failure("unterminated string", at: start) }
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                scalars.append(contentsOf: String(decoding: run, as: UTF8.self).unicodeScalars)
                return String(scalars)
            case UInt8(ascii: "\\"):
                scalars.append(contentsOf: String(decoding: run, as: UTF8.self).unicodeScalars)
                run.removeAll()
                index += 1
                scalars.append(try parseEscape())
            case 0..<0x20:
                throw failure("control character in a string; write it as an escape such as \\n")
            default:
                run.append(byte)
                index += 1
            }
        }
    }

    private mutating func parseEscape() throws(ModelSpecError) -> Unicode.Scalar {
        guard let byte = peek() else { throw failure("unterminated string") }
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return Unicode.Scalar(byte)
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let high = try parseHex4()
            guard (0xD800..<0xDC00).contains(high) else { return Unicode.Scalar(high) ?? "\u{FFFD}" }
            guard peek() == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                return "\u{FFFD}"
            }
            index += 2
            let low = try parseHex4()
            guard (0xDC00..<0xE000).contains(low) else { return "\u{FFFD}" }
            return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)) ?? "\u{FFFD}"
        default:
            index -= 1
            throw failure("invalid escape \\\(describeNext())")
        }
    }

    private mutating func parseHex4() throws(ModelSpecError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = peek(), let digit = Character(Unicode.Scalar(byte)).hexDigitValue else {
                throw failure("expected 4 hex digits after \\u")
            }
            value = value * 16 + UInt32(digit)
            index += 1
        }
        return value
    }

    private mutating func parseNumber() throws(ModelSpecError) -> Double {
        let start = index
        if peek() == UInt8(ascii: "-") { index += 1 }
        let integerStart = index
        skipDigits()
        guard index > integerStart else { throw failure("expected a digit, got \(describeNext())") }
        if bytes[integerStart] == UInt8(ascii: "0") && index - integerStart > 1 {
            throw failure("a number cannot start with 0")
        }
        if peek() == UInt8(ascii: ".") {
            index += 1
            let fraction = index
            skipDigits()
            guard index > fraction else { throw failure("expected a digit after '.'") }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            let exponent = index
            skipDigits()
            guard index > exponent else { throw failure("expected a digit in the exponent") }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let number = Double(text), number.isFinite else { throw failure("number \(text) is out of range", at: start) }
        return number
    }

    private mutating func expectWord(_ word: String) throws(ModelSpecError) {
        for expected in word.utf8 {
            guard peek() == expected else { throw failure("expected \(word), got \(describeNext())") }
            index += 1
        }
    }

    private mutating func skipDigits() {
        while let byte = peek(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { index += 1 }
    }

    private mutating func skipWhitespace() {
        while let byte = peek() {
            switch byte {
            case UInt8(ascii: "\n"):
                index += 1
                (line, lineStart) = (line + 1, index)
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): index += 1
            default: return
            }
        }
    }

    private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private func describeNext() -> String {
        guard let byte = peek() else { return "the end of the file" }
        if byte < 0x20 || byte >= 0x7F { return "byte 0x" + String(byte, radix: 16) }
        return "'\(Character(Unicode.Scalar(byte)))'"
    }

    /// An error at `position` on the current line (by default the current position); columns count bytes from 1.
    private func failure(_ problem: String, at position: Int? = nil) -> ModelSpecError {
        ModelSpecError(file: file, line: line, message: "invalid JSON at column \((position ?? index) - lineStart + 1): \(problem)")
    }
}
