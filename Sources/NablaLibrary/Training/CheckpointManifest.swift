import Foundation

/// The table of contents of one checkpoint, `manifest.json`, written after every other file of it:
/// each file's size and SHA-256, the progress the checkpoint holds, and a fingerprint of the data
/// it was trained on. Loading checks every file against it, so a file from another checkpoint,
/// one copied by hand or one that rotted on disk is refused by name.
///
/// ```json
/// {"format": "nabla-checkpoint", "version": 1, "epoch": 3, "globalStep": 120,
///  "dataFingerprint": "9f86d0…",
///  "files": {"model.safetensors": {"size": 1184, "sha256": "2c26b4…"}, "trainer.json": {…}}}
/// ```
public struct CheckpointManifest: Codable, Equatable, Sendable {
    /// The manifest's name inside a checkpoint.
    public static let file = "manifest.json"
    /// The value of `format`.
    public static let formatName = "nabla-checkpoint"
    /// The layout this version of Nabla writes and reads.
    public static let currentVersion = 1
    /// The most files one checkpoint may list.
    public static let maxFiles = 64
    /// The largest file a checkpoint may list (1 TiB).
    public static let maxFileSize = 1 << 40
    /// The largest JSON file a checkpoint may list (256 MiB; the history of a million epochs fits).
    public static let maxJSONFileSize = 1 << 28
    /// The largest manifest that is read (1 MiB).
    public static let maxManifestSize = 1 << 20

    /// One file of the checkpoint.
    public struct Entry: Codable, Equatable, Sendable {
        /// The size in bytes.
        public var size: Int
        /// The SHA-256 of the contents, as 64 lowercase hexadecimal digits.
        public var sha256: String

        /// An entry with a known size and digest.
        public init(size: Int, sha256: String) {
            self.size = size
            self.sha256 = sha256
        }

        /// The entry that describes `data`.
        public init(of data: Data) {
            self.init(size: data.count, sha256: SHA256.hexDigest(of: data))
        }
    }

    /// Always `formatName`.
    public var format = Self.formatName
    /// The layout's version, `currentVersion` when written by this Nabla.
    public var version = Self.currentVersion
    /// Completed epochs when the checkpoint was written.
    public var epoch: Int
    /// Optimizer steps taken when the checkpoint was written.
    public var globalStep: Int
    /// The SHA-256 of the training and validation data (see `Trainer.dataFingerprint`), if recorded.
    public var dataFingerprint: String?
    /// Every file of the checkpoint but the manifest, by name.
    public var files: [String: Entry]

    /// A manifest for `files` written at `epoch` and `globalStep`.
    public init(epoch: Int, globalStep: Int, dataFingerprint: String?, files: [String: Entry]) {
        self.epoch = epoch
        self.globalStep = globalStep
        self.dataFingerprint = dataFingerprint
        self.files = files
    }

    /// Whether `name` may be a file of a checkpoint: a plain name of letters, digits, `.`, `_`
    /// and `-`, not hidden, not the manifest, at most 100 characters.
    public static func isValidFileName(_ name: String) -> Bool {
        let allowed = name.utf8.allSatisfy { byte in
            (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte) || byte == 46 || byte == 95 || byte == 45
        }
        return allowed && !name.isEmpty && name.count <= 100 && !name.hasPrefix(".") && name != file
    }

    /// Whether `text` is a SHA-256 as manifests write it: 64 lowercase hexadecimal digits.
    static func isDigest(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// Checks every field against what a checkpoint can hold; `path` names the manifest in errors.
    func validate(path: String) throws {
        func refuse(_ problem: String) -> CheckpointError { CheckpointError(path: path, problem: problem + CheckpointError.damagedHint) }
        guard format == Self.formatName else { throw refuse("format \"\(format)\": not a Nabla checkpoint manifest") }
        guard version == Self.currentVersion else {
            throw refuse("version \(version): this Nabla reads version \(Self.currentVersion) checkpoints")
        }
        try CheckpointBounds.counter.check("epoch", epoch, in: path)
        try CheckpointBounds.counter.check("globalStep", globalStep, in: path)
        if let dataFingerprint, !Self.isDigest(dataFingerprint) { throw refuse("dataFingerprint \"\(dataFingerprint)\": not a SHA-256") }
        guard (1...Self.maxFiles).contains(files.count) else { throw refuse("files: \(files.count) entries, expected 1 to \(Self.maxFiles)") }
        for (name, entry) in files.sorted(by: { $0.key < $1.key }) {
            guard Self.isValidFileName(name) else { throw refuse("files: \"\(name)\" is not a plain file name") }
            let limit = name.hasSuffix(".json") ? Self.maxJSONFileSize : Self.maxFileSize
            guard (0...limit).contains(entry.size) else { throw refuse("files.\(name).size \(entry.size): must be in [0, \(limit)]") }
            guard Self.isDigest(entry.sha256) else { throw refuse("files.\(name).sha256 \"\(entry.sha256)\": not a SHA-256") }
        }
    }
}

/// The ranges that numbers read from a checkpoint must fall in.
package struct CheckpointBounds {
    let range: ClosedRange<Int>

    /// Epochs, steps and counts of them: a trillion is far beyond any run, and far from overflow.
    static let counter = CheckpointBounds(range: 0...1_000_000_000_000)

    /// Throws naming `field` of the file at `path` unless `value` is in range.
    func check(_ field: String, _ value: Int, in path: String) throws {
        guard range.contains(value) else {
            throw CheckpointError(path: path, problem: "\(field) \(value): must be in [\(range.lowerBound), \(range.upperBound)]"
                                  + CheckpointError.damagedHint)
        }
    }
}
