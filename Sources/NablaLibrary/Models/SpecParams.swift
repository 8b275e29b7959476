import NablaCore
import NablaBackend

/// The parameters of one spec layer, read by name with type checks; `finish()` reports any left unread.
package struct SpecParams {
    let kind: LayerKind
    let file: String, line: Int?, path: String
    private var entries: [(key: String, value: SpecNode)]
    private var used: Set<String> = []

    /// `value` is nothing (`relu`), a mapping of parameters, or the value of the main parameter.
    init(kind: LayerKind, value: SpecNode?, file: String, line: Int?, path: String) throws(ModelSpecError) {
        (self.kind, self.file, self.line, self.path) = (kind, file, line, path)
        guard let value else {
            entries = []
            return
        }
        switch value.value {
        case .null: entries = []
        case .map(let pairs): entries = pairs
        default:
            entries = []
            guard let main = kind.parameters.first?.name else {
                throw failure(value, "\(kind.name) takes no parameters, got \(value.kind)")
            }
            entries = [(main, value)]
        }
    }

    /// The value of `key`, marked as read; `null` counts as absent.
    mutating func node(_ key: String) -> SpecNode? {
        used.insert(key)
        guard let node = entries.first(where: { $0.key == key })?.value else { return nil }
        if case .null = node.value { return nil }
        return node
    }

    mutating func int(_ key: String) throws(ModelSpecError) -> Int? {
        guard let node = node(key) else { return nil }
        guard case .number(let number) = node.value, let value = Int(exactly: number), Swift.abs(value) <= 1 << 40 else {
            throw failure(node, "`\(key)` must be a whole number, got \(node.kind)")
        }
        return value
    }

    mutating func float(_ key: String) throws(ModelSpecError) -> Float? {
        guard let node = node(key) else { return nil }
        guard case .number(let number) = node.value, Float(number).isFinite else {
            throw failure(node, "`\(key)` must be a number, got \(node.kind)")
        }
        return Float(number)
    }

    mutating func bool(_ key: String) throws(ModelSpecError) -> Bool? {
        guard let node = node(key) else { return nil }
        guard case .bool(let flag) = node.value else { throw failure(node, "`\(key)` must be true or false, got \(node.kind)") }
        return flag
    }

    /// A whole number, or "same".
    mutating func padding(_ key: String) throws(ModelSpecError) -> LayerSpec.Padding? {
        guard let node = node(key) else { return nil }
        if case .string(let text) = node.value, text.lowercased() == "same" { return .same }
        guard case .number(let number) = node.value, let size = Int(exactly: number), Swift.abs(size) <= 1 << 40 else {
            throw failure(node, "`\(key)` must be a whole number or \"same\", got \(node.kind)")
        }
        return .size(size)
    }

    /// One whole number for both sides, or a list of two: [height, width].
    mutating func pair(_ key: String) throws(ModelSpecError) -> (Int, Int)? {
        guard let node = node(key) else { return nil }
        if case .list(let items) = node.value, items.count == 2,
           case .number(let a) = items[0].value, case .number(let b) = items[1].value,
           let height = Int(exactly: a), let width = Int(exactly: b), Swift.abs(height) <= 1 << 40, Swift.abs(width) <= 1 << 40 {
            return (height, width)
        }
        guard case .number(let number) = node.value, let size = Int(exactly: number), Swift.abs(size) <= 1 << 40 else {
            throw failure(node, "`\(key)` must be a whole number or [height, width], got \(node.kind)")
        }
        return (size, size)
    }

    /// Fails on a parameter this layer does not have.
    func finish() throws(ModelSpecError) {
        guard let extra = entries.first(where: { !used.contains($0.key) }) else { return }
        let known = kind.parameters.isEmpty ? "it takes none" : "its parameters are " + kind.parameters.map(\.name).joined(separator: ", ")
        throw failure(extra.value, "\(kind.name) has no parameter \"\(extra.key)\"; \(known)")
    }

    /// The error for a required parameter left out.
    func missing(_ key: String, _ example: String) -> ModelSpecError {
        ModelSpecError(file: file, line: line, layer: path, message: "\(kind.name) needs `\(key)`, e.g. `\(kind.name): \(example)`")
    }

    private func failure(_ node: SpecNode, _ message: String) -> ModelSpecError {
        ModelSpecError(file: file, line: node.line ?? line, layer: path, message: message)
    }
}
