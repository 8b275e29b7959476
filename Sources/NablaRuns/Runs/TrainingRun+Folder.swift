#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import NablaLibrary

/// The run folder's guards: its lock, the check that it can be written, and the removal of what a
/// crashed run left behind.
extension TrainingRun {
    /// Creates `directory` if needed and takes its lock, held until released or until this process ends.
    func lockOutput(_ directory: URL) throws -> FolderLock {
        try Self.makeFolder(directory)
        do {
            return try FolderLock(directory)
        } catch let error as FolderLockError {
            throw Self.locked(error)
        } catch let error as FileError {
            throw Self.cannotWrite(directory, error.reason)
        }
    }

    /// Throws unless nobody holds the lock on `directory`.
    static func checkUnlocked(_ directory: URL) throws {
        do {
            try FolderLock.checkFree(directory)
        } catch let error as FolderLockError {
            throw locked(error)
        }
    }

    private static func locked(_ error: FolderLockError) -> ConfigurationError {
        ConfigurationError("""
            \(error.path): another training, \(error.holderText), is writing this run folder; \
            wait for it to end, or choose another \(setting: .outputDirectory)
            """)
    }

    /// Checks that `directory` takes new files: creates one under a name nobody can guess, never
    /// through a link (`O_CREAT | O_EXCL | O_NOFOLLOW`), and removes it.
    static func probeWritable(_ directory: URL) throws {
        try makeFolder(directory)
        let probe = directory.appendingPathComponent(probePrefix + UUID().uuidString).path
        let descriptor = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw cannotWrite(directory, String(cString: strerror(errno))) }
        _ = close(descriptor)
        _ = unlink(probe)
    }

    private static let probePrefix = ".nabla-write-test-"

    private static func makeFolder(_ directory: URL) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw cannotWrite(directory, error.localizedDescription)
        }
    }

    private static func cannotWrite(_ directory: URL, _ reason: String) -> ConfigurationError {
        ConfigurationError("cannot write to \(directory.path): \(reason); choose a writable \(setting: .outputDirectory)")
    }

    /// Removes what crashed writers left in `directory`: temporary files and links (never what
    /// they point to), write probes, and snapshots that never became the checkpoint. Call it only
    /// while holding the folder's lock, or it could take a live run's files.
    static func removeStrays(_ directory: URL) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in names where isStray(name) {
            _ = unlink(directory.appendingPathComponent(name).path)
        }
        CheckpointFolder(directory).removeUnusedSnapshots()
    }

    /// `.NAME.tmp-UUID`, as `AtomicFile` and `CheckpointFolder` name their temporaries, and write probes.
    static func isStray(_ name: String) -> Bool {
        if name.hasPrefix(probePrefix) { return true }
        guard name.hasPrefix("."), let marker = name.range(of: ".tmp-", options: .backwards) else { return false }
        return UUID(uuidString: String(name[marker.upperBound...])) != nil
    }
}
