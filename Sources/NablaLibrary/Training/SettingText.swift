/// Text that names settings, kept apart from the words around them so that it can be rendered in
/// the library's words (`learningRate`) or in a front end's (`--lr`).
///
/// Write it as a string literal; `\(setting:)` marks a setting:
///
/// ```swift
/// let text: SettingText = "\(setting: .epochs) 0: must be at least 1"
/// text.description                            // "epochs 0: must be at least 1"
/// text.rendered { "<\($0.rawValue)>" }       // "<epochs> 0: must be at least 1"
/// ```
public struct SettingText: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringInterpolation {
    /// A run of plain text, or a setting's name.
    public enum Piece: Sendable, Hashable {
        case text(String)
        case setting(Setting)
    }

    /// The pieces in order; adjacent text is always merged, so equal texts have equal pieces.
    public private(set) var pieces: [Piece]

    public init(stringLiteral value: String) {
        var interpolation = StringInterpolation(literalCapacity: value.count, interpolationCount: 0)
        interpolation.appendLiteral(value)
        pieces = interpolation.pieces
    }

    public init(stringInterpolation: StringInterpolation) {
        pieces = stringInterpolation.pieces
    }

    /// The settings named, in order.
    public var settings: [Setting] {
        pieces.compactMap { if case .setting(let setting) = $0 { setting } else { nil } }
    }

    /// The text with each setting written as `name(setting)`.
    public func rendered(naming name: (Setting) -> String) -> String {
        pieces.map { piece in
            switch piece {
            case .text(let text): text
            case .setting(let setting): name(setting)
            }
        }.joined()
    }

    /// The text in the library's words: each setting by its `rawValue`, e.g. `learningRate`.
    public var description: String { rendered { $0.rawValue } }

    /// Builds a `SettingText` from a string literal with `\(setting:)` and plain interpolations.
    public struct StringInterpolation: StringInterpolationProtocol {
        fileprivate var pieces: [Piece] = []

        public init(literalCapacity: Int, interpolationCount: Int) {}

        public mutating func appendLiteral(_ literal: String) { appendText(literal) }

        /// Names a setting.
        public mutating func appendInterpolation(setting: Setting) { pieces.append(.setting(setting)) }

        /// Inserts another setting text, keeping its settings.
        public mutating func appendInterpolation(_ text: SettingText) {
            for piece in text.pieces {
                switch piece {
                case .text(let text): appendText(text)
                case .setting(let setting): pieces.append(.setting(setting))
                }
            }
        }

        /// Inserts any other value as plain text.
        public mutating func appendInterpolation<Value>(_ value: Value) { appendText(String(describing: value)) }

        private mutating func appendText(_ text: String) {
            guard !text.isEmpty else { return }
            if case .text(let previous)? = pieces.last {
                pieces[pieces.count - 1] = .text(previous + text)
            } else {
                pieces.append(.text(text))
            }
        }
    }
}

/// An error whose message names settings. Its `description` is in the library's words; a front end
/// renders `message` with its own names for the settings.
///
/// ```swift
/// catch let error as SettingNaming { print(error.message.rendered { flag(for: $0) }) }
/// ```
public protocol SettingNaming: Error, CustomStringConvertible {
    var message: SettingText { get }
}

extension SettingNaming {
    public var description: String { message.description }
}
