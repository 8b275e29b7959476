#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A reader's hold on one snapshot folder: a shared advisory lock (`flock`) on the folder, which the
/// writer tests before it removes an old snapshot. A snapshot being read stays until its reader lets
/// go, however many checkpoints a training writes meanwhile; the next checkpoint removes it.
/// Readers in other processes (`nabla eval` on a run that is training) hold it the same way.
final class SnapshotLease {
    private let descriptor: Int32

    /// Holds `snapshot`, or returns nil when it is gone or a writer is removing it.
    init?(_ snapshot: URL) {
        let fd = open(snapshot.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        guard flock(fd, LOCK_SH | LOCK_NB) == 0 else {
            close(fd)
            return nil
        }
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// Runs `remove` while holding `snapshot` alone; leaves it where a reader holds it.
    static func removeUnlessHeld(_ snapshot: URL, _ remove: () -> Void) {
        let fd = open(snapshot.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return remove() }   // not a folder we can open (or already gone): nothing holds it
        defer { close(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 { remove() }
    }
}
