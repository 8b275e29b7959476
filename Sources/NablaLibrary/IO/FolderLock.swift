#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// An exclusive lock on a folder, held through `flock` on its `.lock` file. The system releases it
/// when its holder ends, however it ends, so a crashed or killed holder never leaves the folder
/// locked. The file records the holder's process id, for the message that another would-be holder
/// gets.
///
/// ```swift
/// let lock = try FolderLock(URL(fileURLWithPath: "runs/mlp"))   // FolderLockError if another holds it
/// defer { lock.release() }
/// ```
public final class FolderLock {
    /// The lock file's name inside the folder.
    public static let fileName = ".lock"

    /// The folder locked.
    public let directory: URL
    private var descriptor: Int32

    /// Takes the lock on `directory`, which must exist.
    ///
    /// - Throws: `FolderLockError` when another process (or another `FolderLock` in this one)
    ///   holds it, or `FileError` when the lock file cannot be opened.
    public init(_ directory: URL) throws {
        self.directory = directory
        let url = directory.appendingPathComponent(Self.fileName)
        descriptor = open(url.path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw FileError(path: url.path, operation: "open", reason: "opening the lock file: \(AtomicFile.systemError())")
        }
        guard Self.tryLock(descriptor) else {
            let holder = Self.holderID(descriptor)
            _ = close(descriptor)
            throw FolderLockError(path: directory.path, holder: holder)
        }
        let id = Data("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = id.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
    }

    deinit { release() }

    /// Releases the lock; releasing twice does nothing.
    public func release() {
        guard descriptor >= 0 else { return }
        _ = flock(descriptor, LOCK_UN)
        _ = close(descriptor)
        descriptor = -1
    }

    /// Checks, without taking it, that nobody holds the lock on `directory`.
    ///
    /// - Throws: `FolderLockError` naming the holder.
    public static func checkFree(_ directory: URL) throws {
        let descriptor = open(directory.appendingPathComponent(fileName).path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        defer { _ = close(descriptor) }
        guard tryLock(descriptor) else { throw FolderLockError(path: directory.path, holder: holderID(descriptor)) }
        _ = flock(descriptor, LOCK_UN)
    }

    private static func tryLock(_ descriptor: Int32) -> Bool {
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EINTR else { return false }
        }
        return true
    }

    /// The id the holder wrote; it writes it just after locking, so an empty file is read again briefly.
    private static func holderID(_ descriptor: Int32) -> Int32? {
        for _ in 0..<50 {
            var buffer = [UInt8](repeating: 0, count: 32)
            let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0, let id = Int32(String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) {
                return id
            }
            usleep(10_000)
        }
        return nil
    }
}

/// A folder that another holder has locked.
public struct FolderLockError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The folder.
    public var path: String
    /// The holder's process id, when it could be read.
    public var holder: Int32?

    /// An error for `path`, locked by `holder`.
    public init(path: String, holder: Int32?) {
        self.path = path
        self.holder = holder
    }

    /// "process 4242", or "another process" when the id could not be read.
    public var holderText: String { holder.map { "process \($0)" } ?? "another process" }

    public var description: String { "\(path): locked by \(holderText)" }
}
