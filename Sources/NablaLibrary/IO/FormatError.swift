import NablaCore
import NablaBackend

/// A file whose contents do not follow its format: names the file, where the problem is,
/// what it is, and how to fix it.
///
/// ```swift
/// do { _ = try IDX.read(contentsOf: url) }
/// catch let error as FormatError { print(error) }
/// // train-images-idx3-ubyte.gz: byte 2: bad magic number 0x0804 (expected 0x0803 ...); is this an IDX file?
/// ```
public struct FormatError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Where in the file the problem was found.
    public enum Location: Equatable, Sendable {
        /// A byte offset from the start of the file (of the decompressed stream for IDX inside gzip).
        case byte(Int)
        /// A 1-based line of a text file.
        case line(Int)
        /// A 1-based line and column (field index) of a text file.
        case cell(line: Int, column: Int)
        /// The file as a whole.
        case file
    }

    /// The file's name or path, as the caller gave it.
    public var file: String
    /// Where the problem is.
    public var location: Location
    /// What is wrong, in a few words.
    public var problem: String
    /// How to fix it, if there is a likely fix.
    public var hint: String?

    /// Creates an error for `file` at `location`.
    public init(file: String, at location: Location, _ problem: String, hint: String? = nil) {
        self.file = file
        self.location = location
        self.problem = problem
        self.hint = hint
    }

    public var description: String {
        var text = file
        switch location {
        case .byte(let offset): text += ": byte \(offset)"
        case .line(let line): text += ": line \(line)"
        case .cell(let line, let column): text += ": line \(line), column \(column)"
        case .file: break
        }
        text += ": " + problem
        if let hint { text += "; " + hint }
        return text
    }
}

/// A file that could not be read or written at all: names the path, the step that failed and why.
///
/// ```swift
/// // cannot write /data/model.safetensors: creating a temporary file in /data: Permission denied
/// ```
public struct FileError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The path of the file involved.
    public var path: String
    /// What was being done, e.g. "read" or "write".
    public var operation: String
    /// Why it failed, usually the system's error text plus the step that failed.
    public var reason: String

    /// Creates an error for an `operation` on `path`.
    public init(path: String, operation: String, reason: String) {
        self.path = path
        self.operation = operation
        self.reason = reason
    }

    public var description: String { "cannot \(operation) \(path): \(reason)" }
}
