import Foundation
import Testing
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// Run folders for the integrity tests: a small run, and ways to damage or edit one.
enum RunFolder {
    /// A fresh path under the system temporary directory (not created).
    static func path(_ label: String = "run") -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("nabla-\(label)-\(UUID().uuidString)")
    }

    /// XOR with a small MLP: a few milliseconds an epoch.
    static func config(epochs: Int = 2) -> RunConfiguration {
        var config = RunConfiguration()
        config.data = "xor"
        config.syntheticCount = 200
        config.hidden = [8]
        config.learningRate = 0.02
        config.batchSize = "32"
        config.epochs = epochs
        return config
    }

    /// A folder holding a run trained for `epochs` epochs.
    static func trained(epochs: Int = 1, _ config: RunConfiguration = config()) throws -> URL {
        var config = config
        config.epochs = epochs
        let folder = path()
        _ = try TrainingRun(config).fit(outputDirectory: folder)
        return folder
    }

    /// Where the current checkpoint keeps `name`.
    static func checkpointFile(_ folder: URL, _ name: String) -> URL {
        folder.appendingPathComponent(CheckpointFolder.currentLink).appendingPathComponent(name)
    }

    /// Replaces the checkpoint's `name` with `data`, as a hand edit would; with `reseal`, also
    /// records the new bytes in the manifest, as someone forging a consistent folder would.
    static func replace(_ name: String, in folder: URL, with data: Data, reseal: Bool) throws {
        let url = checkpointFile(folder, name)
        try FileManager.default.removeItem(at: url)
        try data.write(to: url)
        guard reseal else { return }
        let manifestURL = checkpointFile(folder, CheckpointManifest.file)
        var manifest = try JSONDecoder().decode(CheckpointManifest.self, from: Data(contentsOf: manifestURL))
        manifest.files[name] = .init(size: data.count, sha256: SHA256.hexDigest(of: data))
        try FileManager.default.removeItem(at: manifestURL)
        try JSONEncoder().encode(manifest).write(to: manifestURL)
    }

    /// Sets the top-level `field` of the checkpoint's JSON file `name` to the literal `value`,
    /// keeping the manifest consistent, so that only the value itself can be refused.
    static func edit(_ name: String, field: String, to value: String, in folder: URL) throws {
        let text = try String(contentsOf: checkpointFile(folder, name), encoding: .utf8)
        let pattern = try NSRegularExpression(pattern: "(\"\(field)\"\\s*:\\s*)(-?[0-9.eE+-]+)")
        let range = NSRange(text.startIndex..., in: text)
        #expect(pattern.firstMatch(in: text, range: range) != nil, "\(name) has no number field \(field)")
        let edited = pattern.stringByReplacingMatches(in: text, range: range, withTemplate: "$1\(value)")
        try replace(name, in: folder, with: Data(edited.utf8), reseal: true)
    }

    /// `data` with one change that its parser cannot see: a digit changed in JSON, a byte of the
    /// last tensor's data in safetensors.
    static func rotted(_ data: Data, json: Bool) -> Data {
        var bytes = [UInt8](data)
        if json {
            let digits = bytes.indices.filter { (48...57).contains(bytes[$0]) && $0 > bytes.count / 2 }
            let i = digits[digits.count / 2]
            bytes[i] = 48 + (bytes[i] - 48 + 1) % 10
        } else {
            bytes[bytes.count - 2] ^= 0x10
        }
        return Data(bytes)
    }

    /// What `body` throws, as text, or `nil` if it returns.
    static func message(_ body: () throws -> Void) -> String? {
        do { try body() } catch { return String(describing: error) }
        return nil
    }
}
