import Foundation
import Nabla

/// Tokens that libFuzzer splices into inputs (its `-dict` file), made from the code they must match
/// (layer kinds, seed keys) so that they cannot go stale.
enum FuzzWords {
    static let json = ["{", "}", "[", "]", ":", ",", "\"", "true", "false", "null", "-0", "1e400", "-1", "0.5", "\\u0000", "\\ud800"]

    static let yaml = ["- ", ": ", "\n", "  ", "{", "}", "[", "]", "&a ", "*a", "!!str ", "!!int ", "!!float ", "---\n", "...\n", "|\n",
                       ">\n", "# ", "'", "\"", "~", ".inf", "-.inf", ".nan", "0x1F", "0o17", "1_000", "<<: ", "? ", "null", "yes", "on"]

    /// Every layer kind's name and parameter names, and the keys around them.
    static func spec() -> [String] {
        ["input", "layers", "same", "valid"] + LayerKind.all.flatMap { [$0.name] + $0.parameters.map(\.name) }
    }

    static let npy = ["NUMPY", "{'descr': ", "'fortran_order': ", "'shape': ", "False", "True", "(", ",)", ", ", "}",
                      "'<f4'", "'>f8'", "'|u1'", "'<i8'", "'|b1'", "'<f2'", "'=i4'", "L"]

    static let pgm = ["P5", "P2", "# ", "\n", "255", "65535", "16384", "0"]

    /// The keys and strings of the JSON seeds, which name what the reader looks for.
    static func strings(inJSONSeeds seeds: [FuzzSeed]) -> [String] {
        var words: Set<String> = []
        func collect(_ value: Any) {
            if let object = value as? [String: Any] {
                for (key, member) in object {
                    words.insert("\"\(key)\"")
                    collect(member)
                }
            } else if let array = value as? [Any] {
                array.forEach(collect)
            } else if let string = value as? String {
                words.insert("\"\(string)\"")
            }
        }
        for seed in seeds {
            if let value = try? JSONSerialization.jsonObject(with: jsonPart(seed.data)) { collect(value) }
        }
        return words.sorted()
    }

    /// A safetensors file's JSON header, or the whole of any other file.
    private static func jsonPart(_ data: Data) -> Data {
        guard data.count >= 8, data.first != UInt8(ascii: "{") else { return data }
        let length = data.prefix(8).reversed().reduce(0) { $0 << 8 | Int($1) }
        return length <= data.count - 8 ? data.dropFirst(8).prefix(length) : data
    }

    /// `words` in libFuzzer's dictionary format: one quoted token a line, other bytes as `\xNN`.
    static func dictionary(_ words: [String]) -> String {
        words.map { word in
            let escaped = word.utf8.map { byte -> String in
                switch byte {
                case UInt8(ascii: "\\"): "\\\\"
                case UInt8(ascii: "\""): "\\\""
                case 0x20..<0x7F: String(UnicodeScalar(byte))
                default: "\\x" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
                }
            }.joined()
            return "\"\(escaped)\"\n"
        }.joined()
    }
}
