#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A checkpoint read back whole, every file checked against its manifest.
public struct CheckpointContents: Sendable {
    /// The manifest that the files matched.
    public let manifest: CheckpointManifest
    /// The checkpoint's folder, as named through the link: `RUN/checkpoint`.
    public let location: URL
    let files: [String: Data]

    /// Whether the checkpoint holds `name`.
    public func contains(_ name: String) -> Bool { files[name] != nil }

    /// Where the checkpoint keeps `name`, through the link.
    public func url(_ name: String) -> URL { location.appendingPathComponent(name) }

    /// The checked contents of `name`.
    ///
    /// - Throws: `CheckpointError` when the checkpoint does not hold `name`.
    public func data(_ name: String) throws -> Data {
        guard let data = files[name] else {
            throw CheckpointError(path: url(name).path, problem: "missing: the checkpoint's manifest does not list it" + CheckpointError.damagedHint)
        }
        return data
    }
}

extension CheckpointFolder {
    /// Reads the current checkpoint and checks every file against the manifest, and the top-level
    /// `model.safetensors` against the checkpoint's model.
    ///
    /// - Throws: `CheckpointError` naming the file that is missing, stale or corrupt, or the folder
    ///   when it holds no checkpoint.
    public func read() throws -> CheckpointContents {
        var attempts = 0
        while true {
            try checkLink()
            let target = linkTarget
            let linked = linkedSnapshot.map { directory.appendingPathComponent(Self.snapshotsFolder + "/" + $0) }
            do {
                guard let linked else { return try read(current) }   // a copied folder: no writer removes it
                // Held while it is read, so that a training writing checkpoints meanwhile does not remove it.
                return try withExtendedLifetime(SnapshotLease(linked)) { try read(linked) }
            } catch {
                // A training moved the link on, and removed this snapshot, while it was read: read the new one.
                attempts += 1
                guard attempts < 5, linkTarget != target else { throw error }
            }
        }
    }

    /// Reads the snapshot at `snapshot` (the link's target, resolved once), naming files through the link.
    private func read(_ snapshot: URL) throws -> CheckpointContents {
        let manifest = try readManifest(snapshot.appendingPathComponent(CheckpointManifest.file))
        var files: [String: Data] = [:]
        for (name, entry) in manifest.files.sorted(by: { $0.key < $1.key }) {
            files[name] = try Self.readChecked(snapshot.appendingPathComponent(name), shownAs: current.appendingPathComponent(name), entry)
        }
        try checkExport(manifest)
        return CheckpointContents(manifest: manifest, location: current, files: files)
    }

    /// Checks that `checkpoint` names a snapshot in this folder (or is a copied folder).
    private func checkLink() throws {
        switch entryType(current) {
        case nil:
            let legacy = FileManager.default.fileExists(atPath: directory.appendingPathComponent(Checkpoint.trainerFile).path)
            throw CheckpointError(path: directory.path, problem: legacy
                ? "a run folder from an earlier Nabla, without a checkpoint manifest, so its files cannot be checked; train the run again"
                : "no checkpoint here (expected \(Self.currentLink)/\(CheckpointManifest.file)); write one with saveCheckpoint(to:) first")
        case .directory?:
            return
        case .link?:
            guard linkedSnapshot != nil else {
                throw CheckpointError(path: current.path, problem: "links to \"\(linkTarget)\", not to a snapshot in \(Self.snapshotsFolder)/"
                                      + CheckpointError.damagedHint)
            }
        case .file?, .other?:
            throw CheckpointError(path: current.path, problem: "not a link to a snapshot" + CheckpointError.damagedHint)
        }
    }

    private func readManifest(_ url: URL) throws -> CheckpointManifest {
        let shown = current.appendingPathComponent(CheckpointManifest.file).path
        guard entryType(url) == .file else {
            throw CheckpointError(path: shown, problem: "missing: the checkpoint is incomplete" + CheckpointError.damagedHint)
        }
        guard let size = Self.fileSize(url), size <= CheckpointManifest.maxManifestSize else {
            throw CheckpointError(path: shown, problem: "larger than \(CheckpointManifest.maxManifestSize) bytes, too large for a manifest"
                                  + CheckpointError.damagedHint)
        }
        let data = try AtomicFile.read(url)
        let manifest: CheckpointManifest
        do {
            manifest = try JSONDecoder().decode(CheckpointManifest.self, from: data)
        } catch {
            throw CheckpointError(path: shown, problem: "not a checkpoint manifest (\(CheckpointError.brief(error)))" + CheckpointError.damagedHint)
        }
        try manifest.validate(path: shown)
        return manifest
    }

    /// The model linked at the top must be the checkpoint's model: a copy that replaced the link
    /// and differs is refused, so that no two models answer to this run folder.
    private func checkExport(_ manifest: CheckpointManifest) throws {
        let url = directory.appendingPathComponent(Self.exportedFile)
        guard let type = entryType(url), let entry = manifest.files[Self.exportedFile] else { return }
        if type == .link, (try? FileManager.default.destinationOfSymbolicLink(atPath: url.path)) == "\(Self.currentLink)/\(Self.exportedFile)" {
            return
        }
        do {
            _ = try Self.readChecked(url, shownAs: url, entry)
        } catch is CheckpointError {
            throw CheckpointError(path: url.path, problem: "stale or corrupt: it differs from the checkpoint's model, "
                + "\(Self.currentLink)/\(Self.exportedFile) (was it replaced by hand?); remove it, and the next checkpoint links it again")
        }
    }

    /// The contents of `url` if its size and SHA-256 are those `entry` records; errors name it `shown`.
    static func readChecked(_ url: URL, shownAs shown: URL, _ entry: CheckpointManifest.Entry) throws -> Data {
        guard let size = fileSize(url) else {
            throw CheckpointError(path: shown.path, problem: "missing, though the checkpoint's manifest lists it" + CheckpointError.damagedHint)
        }
        guard size == entry.size else { throw sizeMismatch(shown, size, entry.size) }
        let data = try AtomicFile.read(url)
        guard data.count == entry.size else { throw sizeMismatch(shown, data.count, entry.size) }
        guard SHA256.hexDigest(of: data) == entry.sha256 else {
            throw CheckpointError(path: shown.path, problem: "stale or corrupt: its SHA-256 is not the one the checkpoint's manifest "
                                  + "records (bit rot, or a file copied from elsewhere)" + CheckpointError.damagedHint)
        }
        return data
    }

    private static func sizeMismatch(_ shown: URL, _ size: Int, _ expected: Int) -> CheckpointError {
        CheckpointError(path: shown.path, problem: "stale or corrupt: \(size) bytes where the checkpoint's manifest records \(expected) "
                        + "(a file from another checkpoint, or a copy cut short)" + CheckpointError.damagedHint)
    }

    /// The size of the file at `url` (following links), or `nil` when there is none.
    static func fileSize(_ url: URL) -> Int? {
        var info = stat()
        guard stat(url.path, &info) == 0 else { return nil }
        return Int(info.st_size)
    }
}
