import Foundation

/// One parser entry point that a fuzzer feeds arbitrary bytes. Each input must either parse or be
/// refused with the parser's own error type; anything else (another error, a broken round trip, a
/// trap, a hang, a huge allocation) is a finding.
///
/// ```swift
/// let target = FuzzTarget.named("npy")!
/// if case .unexpected(let problem) = target.run(Data([0x93, 0x4E])) { print("finding: \(problem)") }
/// ```
public struct FuzzTarget: Sendable {
    /// The name that `nabla-fuzz` and `Fuzz/run.sh` select the target by; also its corpus folder's name.
    public let name: String
    /// The entry points it feeds, in a few words.
    public let summary: String
    /// Seeds made with the library's own writers or by hand (`nabla-fuzz --write-seeds`).
    public let seeds: @Sendable () -> [FuzzSeed]
    private let words: @Sendable () -> [String]
    private let expected: [any Error.Type]
    private let body: @Sendable (Data) throws -> Void

    /// A target whose `body` may throw only errors of the `expected` types; `words` are tokens of its format.
    init(_ name: String, _ summary: String, expecting expected: [any Error.Type], seeds: @escaping @Sendable () -> [FuzzSeed],
         words: @escaping @Sendable () -> [String] = { [] }, body: @escaping @Sendable (Data) throws -> Void) {
        (self.name, self.summary, self.expected) = (name, summary, expected)
        (self.seeds, self.words, self.body) = (seeds, words, body)
    }

    /// Tokens of the format in libFuzzer's `-dict` format; empty where libFuzzer's own comparisons suffice.
    public var dictionary: String {
        FuzzWords.dictionary(words())
    }

    /// Feeds `data` to the target's parser.
    public func run(_ data: Data) -> FuzzOutcome {
        do {
            try body(data)
            return .parsed
        } catch let finding as FuzzFinding {
            return .unexpected(finding.message)
        } catch {
            guard isExpected(error) else { return .unexpected("unexpected error type \(type(of: error)): \(error)") }
            return .rejected("\(error)")
        }
    }

    private func isExpected(_ error: any Error) -> Bool {
        expected.contains { ObjectIdentifier($0) == ObjectIdentifier(type(of: error)) }
    }
}

/// What a fuzz target made of one input.
public enum FuzzOutcome: Equatable, Sendable {
    /// The input parsed, and every check on the result held.
    case parsed
    /// The parser refused the input with its own error, whose text this is.
    case rejected(String)
    /// A finding: an error of a type the parser must not throw, or a check on the result that failed.
    case unexpected(String)
}

/// One seed input: a file name for `Fuzz/corpus/<target>/` and its bytes.
public struct FuzzSeed: Sendable {
    /// The file name within the target's corpus folder.
    public let name: String
    /// The file's bytes.
    public let data: Data

    init(_ name: String, _ data: Data) {
        self.name = name
        self.data = data
    }

    init(_ name: String, text: String) {
        self.init(name, Data(text.utf8))
    }
}

/// A property of a parsed result that does not hold, such as a round trip that changes the data.
struct FuzzFinding: Error {
    let message: String
}

/// Throws a finding naming `what` unless `condition` holds.
func require(_ condition: Bool, _ what: @autoclosure () -> String) throws {
    guard condition else { throw FuzzFinding(message: what()) }
}

/// The result of `parse`, or nil if it throws an `E`; any other error propagates.
func refusedAsNil<T, E: Error>(_ type: E.Type, _ parse: () throws -> T) throws -> T? {
    do {
        return try parse()
    } catch is E {
        return nil
    }
}
