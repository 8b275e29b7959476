#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Where a folder keeps its checkpoint, written as one atomic unit.
///
/// Each checkpoint is a new snapshot folder, `snapshots/epoch-0003-step-120-9f2c1a7e/`, holding
/// every file of the checkpoint and, written last, `manifest.json`. The link `checkpoint` names
/// the current snapshot; replacing it is one `rename`, so a reader finds either the old checkpoint
/// or the new one, whole, wherever a crash, a kill or a full disk stops the writer. Older snapshots
/// are removed once the link has moved, except one that a reader is still reading (`read()` holds a
/// lock on its snapshot), which the next checkpoint removes. `model.safetensors` beside the link is a link to
/// `checkpoint/model.safetensors`, so the current weights keep one stable path.
///
/// ```swift
/// let folder = CheckpointFolder(URL(fileURLWithPath: "runs/mlp"))
/// try folder.write([("model.safetensors", weights)], epoch: 3, globalStep: 120, dataFingerprint: nil)
/// let checkpoint = try folder.read()              // every file checked against the manifest
/// let weights = try checkpoint.data("model.safetensors")
/// ```
public struct CheckpointFolder: Sendable {
    /// The link to the current snapshot.
    public static let currentLink = "checkpoint"
    /// The folder that holds the snapshots.
    public static let snapshotsFolder = "snapshots"
    /// The file linked at the top of the folder, for tools that load `RUN/model.safetensors`.
    public static let exportedFile = Checkpoint.modelFile

    /// A point in `write`, reported to its observer; the observer may throw to stop there.
    public enum Stage: Equatable, Sendable {
        /// The next file of the new snapshot (a checkpoint file or the manifest) is about to be created here.
        case willWrite(URL)
        /// That file is complete and flushed to disk.
        case didWrite(URL)
        /// `checkpoint` now names the new snapshot, here.
        case switched(URL)
        /// `model.safetensors` at the top links to the checkpoint's model.
        case linkedModel
        /// Snapshots other than the current one are gone, but for any that a reader holds.
        case removedOldSnapshots
    }

    /// The folder.
    public let directory: URL

    /// The checkpoint folder at `directory`.
    public init(_ directory: URL) {
        self.directory = directory
    }

    /// The current checkpoint, through the link: `directory/checkpoint`.
    public var current: URL { directory.appendingPathComponent(Self.currentLink) }

    /// Whether the folder holds a checkpoint (whether or not it is intact).
    public var exists: Bool { entryType(current) != nil }

    /// Writes `files` as a new snapshot, its manifest last, then makes it the current checkpoint.
    ///
    /// - Parameter observe: called at each `Stage`; throwing stops the write there (tests use it to
    ///   stop the writer between any two steps, and to fail a write as a full disk would).
    /// - Precondition: the names are distinct plain file names (`CheckpointManifest.isValidFileName`).
    /// - Throws: `FileError` naming the file that could not be written. Until the switch, the
    ///   previous checkpoint stays the current one and the unfinished snapshot is removed.
    public func write(_ files: [(name: String, data: Data)], epoch: Int, globalStep: Int, dataFingerprint: String?,
                      observe: (Stage) throws -> Void = { _ in }) throws {
        precondition(Set(files.map(\.name)).count == files.count, "CheckpointFolder.write: a file name appears twice in \(files.map(\.name))")
        let name = Self.snapshotName(epoch: epoch, globalStep: globalStep)
        let manifest = CheckpointManifest(epoch: epoch, globalStep: globalStep, dataFingerprint: dataFingerprint,
                                          files: Dictionary(uniqueKeysWithValues: files.map { ($0.name, CheckpointManifest.Entry(of: $0.data)) }))
        let snapshot = try writeSnapshot(name, files + [(CheckpointManifest.file, try Self.encoder.encode(manifest))], observe)
        try switchCurrent(to: name)
        try observe(.switched(snapshot))
        try replaceLink(Self.exportedFile, target: Self.currentLink + "/" + Self.exportedFile)
        try observe(.linkedModel)
        removeSnapshots(keeping: name)
        try observe(.removedOldSnapshots)
    }

    /// Writes `files` in order into the new folder `snapshots/name`, and flushes it; on failure the
    /// unfinished folder is removed.
    private func writeSnapshot(_ name: String, _ files: [(name: String, data: Data)], _ observe: (Stage) throws -> Void) throws -> URL {
        let snapshots = directory.appendingPathComponent(Self.snapshotsFolder)
        try Self.makeDirectory(snapshots)
        let snapshot = snapshots.appendingPathComponent(name)
        try Self.makeDirectory(snapshot)
        do {
            for (file, data) in files {
                precondition(file == CheckpointManifest.file || CheckpointManifest.isValidFileName(file),
                             "CheckpointFolder.write: \"\(file)\" is not a plain file name")
                let url = snapshot.appendingPathComponent(file)
                try observe(.willWrite(url))
                try AtomicFile.create(data, at: url)
                try observe(.didWrite(url))
            }
            AtomicFile.syncDirectory(snapshot.path)
            AtomicFile.syncDirectory(snapshots.path)
        } catch {
            try? FileManager.default.removeItem(at: snapshot)
            throw error
        }
        return snapshot
    }

    /// Points `checkpoint` at `snapshots/name` with one rename. A `checkpoint` that is a real
    /// folder (a copy that followed the link) is first moved among the snapshots.
    private func switchCurrent(to name: String) throws {
        if entryType(current) == .directory {
            let aside = Self.snapshotName(epoch: 0, globalStep: 0)
            try Self.check(rename(current.path, directory.appendingPathComponent(Self.snapshotsFolder + "/" + aside).path) == 0,
                           current, "moving the folder among the snapshots")
        }
        try replaceLink(Self.currentLink, target: Self.snapshotsFolder + "/" + name)
    }

    /// Makes `directory/name` a link to `target`: a new link under a temporary name, renamed over it.
    private func replaceLink(_ name: String, target: String) throws {
        let url = directory.appendingPathComponent(name)
        let temporary = directory.appendingPathComponent(".\(name).tmp-\(UUID().uuidString)")
        try Self.check(symlink(target, temporary.path) == 0, temporary, "creating a link")
        guard rename(temporary.path, url.path) == 0 else {
            let reason = AtomicFile.systemError()
            _ = unlink(temporary.path)
            throw FileError(path: url.path, operation: "write", reason: "replacing the link: \(reason)")
        }
        AtomicFile.syncDirectory(directory.path)
    }

    /// Removes the snapshots that are not the current checkpoint: what a writer stopped before
    /// its switch left behind. Nothing is removed when `checkpoint` names no snapshot of this folder.
    public func removeUnusedSnapshots() {
        switch entryType(current) {
        case nil, .directory?:
            removeSnapshots(keeping: nil)
        case .link?:
            guard let name = linkedSnapshot else { return }
            removeSnapshots(keeping: name)
        case .file?, .other?:
            return
        }
    }

    /// What `checkpoint` links to, as written.
    var linkTarget: String { (try? FileManager.default.destinationOfSymbolicLink(atPath: current.path)) ?? "" }

    /// The snapshot that `checkpoint` links to, when it links to one of this folder's.
    var linkedSnapshot: String? {
        let parts = linkTarget.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] == Self.snapshotsFolder, Self.isSnapshotName(String(parts[1])) else { return nil }
        return String(parts[1])
    }

    /// Removes every snapshot but `name` (only folders named as `write` names them) and those that readers hold.
    func removeSnapshots(keeping name: String?) {
        let snapshots = directory.appendingPathComponent(Self.snapshotsFolder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: snapshots.path)) ?? []
        for other in names where other != name && Self.isSnapshotName(other) {
            let url = snapshots.appendingPathComponent(other)
            guard entryType(url) == .directory else {
                _ = unlink(url.path)
                continue
            }
            // A snapshot that a reader holds stays until the next checkpoint.
            SnapshotLease.removeUnlessHeld(url) { try? FileManager.default.removeItem(at: url) }
        }
    }

    /// `epoch-0003-step-120-9f2c1a7e`: sortable by progress, and never the name of an older snapshot.
    static func snapshotName(epoch: Int, globalStep: Int) -> String {
        let random = UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(8).lowercased()
        return "epoch-" + String(format: "%04d", epoch) + "-step-\(globalStep)-" + random
    }

    /// Whether `name` is shaped as `snapshotName` makes names.
    static func isSnapshotName(_ name: String) -> Bool {
        let parts = name.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 5 && parts[0] == "epoch" && parts[2] == "step" && !parts[1].isEmpty && !parts[3].isEmpty
            && parts[1].allSatisfy(\.isASCII) && parts[1].allSatisfy(\.isNumber) && parts[3].allSatisfy(\.isASCII)
            && parts[3].allSatisfy(\.isNumber) && parts[4].utf8.count == 8
            && parts[4].utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return encoder
    }()

    /// Creates the folder `url`, or checks that the one already there is a folder, not a link.
    private static func makeDirectory(_ url: URL) throws {
        try check(mkdir(url.path, 0o755) == 0 || errno == EEXIST, url, "creating the folder")
        guard entryType(url) == .directory else {
            throw FileError(path: url.path, operation: "write", reason: "creating the folder: something else, perhaps a link, is in the way")
        }
    }

    static func check(_ success: Bool, _ url: URL, _ step: String) throws {
        guard success else { throw FileError(path: url.path, operation: "write", reason: "\(step): \(AtomicFile.systemError())") }
    }
}

/// What a directory entry is, without following a link.
enum EntryType { case file, directory, link, other }

/// The type of the entry at `url` itself (a link is not followed), or `nil` when there is none.
func entryType(_ url: URL) -> EntryType? {
    var info = stat()
    guard lstat(url.path, &info) == 0 else { return nil }
    switch info.st_mode & S_IFMT {
    case S_IFREG: return .file
    case S_IFDIR: return .directory
    case S_IFLNK: return .link
    default: return .other
    }
}
