import Foundation
import NablaCore
import NablaBackend

/// Plain UTF-8 text files read as Unicode scalars, the characters of a character-level model.
///
/// ```swift
/// let characters = try TextFile.read(contentsOf: URL(fileURLWithPath: "input.txt"))
/// let vocabulary = Vocabulary(text: characters)
/// ```
public enum TextFile {
    /// Reads `url` as UTF-8 text. A byte-order mark is kept as U+FEFF, as Python's `utf-8` codec does.
    ///
    /// - Throws: `FileError` when the file cannot be read; `FormatError` naming the byte offset of
    ///   the first invalid UTF-8 sequence, or saying the file is empty.
    public static func read(contentsOf url: URL) throws -> [Unicode.Scalar] {
        try decode(AtomicFile.read(url), name: url.path)
    }

    /// Decodes UTF-8 `data`; `name` appears in error messages.
    public static func decode(_ data: Data, name: String) throws(FormatError) -> [Unicode.Scalar] {
        guard !data.isEmpty else {
            throw FormatError(file: name, at: .file, "the file is empty", hint: "a text data set needs some text to train on")
        }
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(data.count)
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = data.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                scalars.append(Unicode.UTF8.decode(encoded))
                offset += encoded.count
            case .emptyInput:
                return scalars
            case .error:
                throw FormatError(file: name, at: .byte(offset), "not valid UTF-8 (byte 0x\(String(data[data.startIndex + offset], radix: 16)))",
                                  hint: "save the text as UTF-8")
            }
        }
    }
}
