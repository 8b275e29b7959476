import Foundation
import Nabla

extension FuzzTarget {
    /// Model specs in JSON (`SpecJSONParser`).
    static let specJSON = spec("spec-json", format: .json, seeds: FuzzSeeds.specJSON)

    /// Model specs in YAML (Yams, then Nabla's own checks).
    static let specYAML = spec("spec-yaml", format: .yaml, seeds: FuzzSeeds.specYAML)

    /// Parses spec text as `ModelSpec.load` does (UTF-8 only, at most 1 MiB); a parsed spec must come
    /// back unchanged from `text(format:)` in both formats.
    private static func spec(_ name: String, format: ModelSpec.Format, seeds: @escaping @Sendable () -> [FuzzSeed]) -> FuzzTarget {
        FuzzTarget(name, "ModelSpec.parse (\(format.rawValue)), and ModelSpec.text of the result in both formats",
                   expecting: [ModelSpecError.self], seeds: seeds,
                   words: { (format == .json ? FuzzWords.json : FuzzWords.yaml) + FuzzWords.spec() }) { data in
            guard data.count <= 1 << 20, let text = String(data: data, encoding: .utf8) else { return }
            let spec = try ModelSpec.parse(text, format: format, name: "fuzz.\(format.rawValue)")
            for other in ModelSpec.Format.allCases {
                let written = spec.text(format: other)
                let again: ModelSpec
                do {
                    again = try ModelSpec.parse(written, format: other, name: "written.\(other.rawValue)")
                } catch {
                    throw FuzzFinding(message: "ModelSpec.text(format: .\(other)) wrote a spec that does not parse: \(error)\n\(written)")
                }
                try require(again == spec, "ModelSpec.text(format: .\(other)) wrote a different spec:\n\(written)")
            }
        }
    }
}
