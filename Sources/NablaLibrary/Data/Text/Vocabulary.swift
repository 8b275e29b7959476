import Foundation
import NablaCore
import NablaBackend

/// A character vocabulary: the sorted distinct Unicode scalars of a text, one token each, as
/// nanoGPT's `chars = sorted(list(set(text)))`. A character is a Unicode scalar, as in Python, not
/// a Swift `Character` (an "é" written as "e" + U+0301 is two tokens).
///
/// ```swift
/// let vocabulary = Vocabulary(text: "hello")     // characters e, h, l, o
/// let tokens = try vocabulary.encode("hole")     // [1, 3, 2, 0]
/// vocabulary.decode(tokens)                      // "hole"
/// ```
public struct Vocabulary: Sendable, Equatable, Codable {
    /// The characters in token order: token `i` is `characters[i]`.
    public let characters: [Unicode.Scalar]
    private let tokens: [Unicode.Scalar: Int]

    /// The vocabulary of `text`: its distinct scalars in code-point order.
    public init(text: some Sequence<Unicode.Scalar>) {
        self.init(sorted: Set(text).sorted())
    }

    /// The vocabulary of `text`'s Unicode scalars.
    public init(text: String) { self.init(text: text.unicodeScalars) }

    /// A vocabulary of these characters, which must be distinct and in code-point order (as saved).
    public init?(characters: [Unicode.Scalar]) {
        guard zip(characters, characters.dropFirst()).allSatisfy({ $0 < $1 }) else { return nil }
        self.init(sorted: characters)
    }

    private init(sorted: [Unicode.Scalar]) {
        characters = sorted
        tokens = Dictionary(uniqueKeysWithValues: sorted.enumerated().map { ($1, $0) })
    }

    /// The number of tokens.
    public var count: Int { characters.count }

    /// The token of `character`, or `nil` when the vocabulary lacks it.
    public func token(_ character: Unicode.Scalar) -> Int? { tokens[character] }

    /// The tokens of `text`, or an error naming the first character outside the vocabulary.
    public func encode(_ text: String) throws(VocabularyError) -> [Int] {
        var result: [Int] = []
        result.reserveCapacity(text.unicodeScalars.count)
        for (position, character) in text.unicodeScalars.enumerated() {
            guard let token = tokens[character] else {
                throw VocabularyError(character: character, position: position, vocabularySize: count)
            }
            result.append(token)
        }
        return result
    }

    /// The text of `tokens`; each must be in `0..<count`.
    public func decode(_ tokens: [Int]) -> String {
        var text = String.UnicodeScalarView()
        for token in tokens {
            precondition(token >= 0 && token < count, "Vocabulary.decode: token \(token) is outside 0..<\(count)")
            text.append(characters[token])
        }
        return String(text)
    }

    enum CodingKeys: String, CodingKey { case characters }

    /// Saved as `{"characters": ["\n", " ", "!", …]}`, one string per token, which Python reads
    /// back with `json.load(f)["characters"]`.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(characters.map { String($0) }, forKey: .characters)
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let strings = try container.decode([String].self, forKey: .characters)
        let scalars = strings.compactMap { $0.unicodeScalars.count == 1 ? $0.unicodeScalars.first : nil }
        guard scalars.count == strings.count, let vocabulary = Vocabulary(characters: scalars) else {
            throw DecodingError.dataCorruptedError(forKey: .characters, in: container,
                                                   debugDescription: "expected distinct single characters in code-point order")
        }
        self = vocabulary
    }

    public static func == (a: Vocabulary, b: Vocabulary) -> Bool { a.characters == b.characters }
}

/// A character a vocabulary does not hold, e.g.
/// `the character "é" (U+00E9) at position 3 is not in the vocabulary of 65 characters`.
public struct VocabularyError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The character outside the vocabulary.
    public let character: Unicode.Scalar
    /// Its position in the text, counted in Unicode scalars from 0.
    public let position: Int
    /// The number of characters the vocabulary holds.
    public let vocabularySize: Int

    public var description: String {
        let hex = String(character.value, radix: 16, uppercase: true)
        let code = "U+" + String(repeating: "0", count: Swift.max(0, 4 - hex.count)) + hex
        let shown = character.properties.generalCategory == .control ? "" : "\"\(character)\" "
        return "the character \(shown)(\(code)) at position \(position) is not in the vocabulary of \(vocabularySize) characters"
    }
}
