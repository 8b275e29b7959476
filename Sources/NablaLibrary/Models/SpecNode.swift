import Yams
import NablaCore
import NablaBackend

/// A value of a parsed spec document, JSON or YAML alike, with the line it starts on.
package struct SpecNode {
    indirect enum Value {
        case map([(key: String, value: SpecNode)])
        case list([SpecNode])
        case string(String)
        case number(Double)
        case bool(Bool)
        case null
    }

    var value: Value
    /// 1-based; nil when the parser gave no position.
    var line: Int?

    /// A short name for messages, e.g. "a list".
    var kind: String {
        switch value {
        case .map: "a mapping"
        case .list: "a list"
        case .string(let text): "the text \"\(text)\""
        case .number(let number): "the number \(SpecNode.format(number))"
        case .bool(let flag): "\(flag)"
        case .null: "nothing"
        }
    }

    /// The value written back as it would appear in a file.
    static func format(_ number: Double) -> String {
        if let integer = Int(exactly: number) { return String(integer) }
        return String(number)
    }

    /// The most values a document may hold, so that YAML aliases cannot blow up into billions of nodes.
    static let maxValues = 100_000
    /// The deepest nesting accepted, so that hostile documents cannot overflow the stack.
    static let maxDepth = 64
}

/// Turns YAML or JSON text into `SpecNode`s, with errors that give the file, line and column.
package enum SpecDocument {
    static func parse(_ text: String, format: ModelSpec.Format, file: String) throws(ModelSpecError) -> SpecNode {
        switch format {
        case .json:
            var parser = SpecJSONParser(text: text, file: file)
            return try parser.parseDocument()
        case .yaml:
            return try parseYAML(text, file: file)
        }
    }

    private static func parseYAML(_ text: String, file: String) throws(ModelSpecError) -> SpecNode {
        if let line = lineNestedTooDeep(text) {
            throw ModelSpecError(file: file, line: line, message: "nesting is deeper than \(SpecNode.maxDepth) levels")
        }
        let root: Yams.Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw yamlError(error, file: file)
        } catch {
            throw ModelSpecError(file: file, message: "invalid YAML: \(error)")
        }
        guard let root else {
            throw ModelSpecError(file: file, message: "the file is empty; a model spec needs `input` and `layers`")
        }
        var budget = SpecNode.maxValues
        return try convert(root, file: file, budget: &budget)
    }

    private static func yamlError(_ error: YamlError, file: String) -> ModelSpecError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return ModelSpecError(file: file, line: mark.line, message: "invalid YAML at column \(mark.column): \(problem)")
        case .reader(let problem, _, _, _):
            return ModelSpecError(file: file, message: "invalid YAML: \(problem)")
        default:
            return ModelSpecError(file: file, message: "invalid YAML: \(error)")
        }
    }

    private static func convert(_ node: Yams.Node, file: String, budget: inout Int) throws(ModelSpecError) -> SpecNode {
        budget -= 1
        guard budget >= 0 else {
            throw ModelSpecError(file: file, line: node.mark?.line, message: "the document holds more than \(SpecNode.maxValues) values")
        }
        switch node {
        case .scalar(let scalar):
            return SpecNode(value: scalarValue(node, scalar), line: scalar.mark?.line)
        case .sequence(let sequence):
            var items: [SpecNode] = []
            for item in sequence { items.append(try convert(item, file: file, budget: &budget)) }
            return SpecNode(value: .list(items), line: sequence.mark?.line)
        case .mapping(let mapping):
            var pairs: [(key: String, value: SpecNode)] = []
            for (key, value) in mapping {
                guard case .scalar(let name) = key else {
                    throw ModelSpecError(file: file, line: key.mark?.line, message: "a key must be a name, not a list or mapping")
                }
                guard !pairs.contains(where: { $0.key == name.string }) else {
                    throw ModelSpecError(file: file, line: key.mark?.line, message: "the key \"\(name.string)\" appears twice")
                }
                pairs.append((name.string, try convert(value, file: file, budget: &budget)))
            }
            return SpecNode(value: .map(pairs), line: mapping.mark?.line)
        }
    }

    /// A plain scalar typed by YAML's own rules (`12`, `0.5`, `true`, `null`); quoted ones stay text.
    private static func scalarValue(_ node: Yams.Node, _ scalar: Yams.Node.Scalar) -> SpecNode.Value {
        switch node.tag.description {
        case "tag:yaml.org,2002:null": return .null
        case "tag:yaml.org,2002:bool": return node.bool.map(SpecNode.Value.bool) ?? .string(scalar.string)
        case "tag:yaml.org,2002:int":
            // YAML 1.1's base-60 form (`4:08:44`) overflows inside Yams' own conversion; no spec needs it.
            if scalar.string.contains(":") { return .string(scalar.string) }
            return node.int.map { .number(Double($0)) } ?? node.float.map(SpecNode.Value.number) ?? .string(scalar.string)
        case "tag:yaml.org,2002:float":
            if scalar.string.contains(":") { return .string(scalar.string) }
            return node.float.map(SpecNode.Value.number) ?? .string(scalar.string)
        default: return .string(scalar.string)
        }
    }

    /// The line of the first place where nesting may exceed `maxDepth`, found before the YAML
    /// composer recurses. A conservative bound: open flow brackets plus half the columns of leading
    /// spaces and `- `/`? ` indicators (each block level takes at least one column). Every opening
    /// bracket counts, but a closing one lowers the count only outside quoted text and comments, so
    /// brackets written inside strings can never hide real depth.
    static func lineNestedTooDeep(_ text: String) -> Int? {
        var scanner = NestingScanner()
        for byte in text.utf8 {
            scanner.read(byte)
            if scanner.depth > SpecNode.maxDepth { return scanner.line }
        }
        return nil
    }
}

/// Reads YAML bytes one at a time and keeps an upper bound of the nesting depth.
struct NestingScanner {
    private enum Context { case plain, singleQuoted, singleQuoteEnd, doubleQuoted, escaped, comment }
    private(set) var line = 1
    private var flow = 0, indent = 0, lineStart = true
    private var context = Context.plain
    /// The byte before, for telling a quote or `#` that starts a token from one inside a word.
    private var previous = UInt8(ascii: " ")

    var depth: Int { flow + indent / 2 }

    mutating func read(_ byte: UInt8) {
        defer { previous = byte }
        if byte == UInt8(ascii: "\n") {
            (line, indent, lineStart) = (line + 1, 0, true)
            if context == .comment { context = .plain }
            return
        }
        if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") { flow += 1 }
        switch context {
        case .comment: return
        case .escaped: context = .doubleQuoted
        case .doubleQuoted:
            if byte == UInt8(ascii: "\\") { context = .escaped }
            if byte == UInt8(ascii: "\"") { context = .plain }
        case .singleQuoted:
            if byte == UInt8(ascii: "'") { context = .singleQuoteEnd }
        case .singleQuoteEnd:
            // `''` is a quote inside a single-quoted string; anything else ends the string.
            if byte == UInt8(ascii: "'") {
                context = .singleQuoted
            } else {
                context = .plain
                readPlain(byte)
            }
        case .plain:
            readPlain(byte)
        }
    }

    private mutating func readPlain(_ byte: UInt8) {
        let atTokenStart = lineStart || " \t[{,:".utf8.contains(previous)
        if lineStart && " \t-?".utf8.contains(byte) {
            indent += 1
            return
        }
        lineStart = false
        switch byte {
        case UInt8(ascii: "]"), UInt8(ascii: "}"): flow = Swift.max(0, flow - 1)
        case UInt8(ascii: "#") where atTokenStart || previous == UInt8(ascii: "\t"): context = .comment
        case UInt8(ascii: "\"") where atTokenStart: context = .doubleQuoted
        case UInt8(ascii: "'") where atTokenStart: context = .singleQuoted
        default: break
        }
    }
}
