#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import NablaCore
import NablaBackend

/// Crash-safe file replacement: readers see the old file or the complete new one, never a mix.
///
/// ```swift
/// try AtomicFile.write(Data(bytes), to: URL(fileURLWithPath: "model.safetensors"))
/// ```
public enum AtomicFile {
    /// Writes `data` to a temporary file in the target's directory, flushes it to disk, renames it
    /// over `url` and flushes the directory so that the rename itself survives a crash.
    ///
    /// - Throws: `FileError` naming the path, the step that failed and the system's reason.
    public static func write(_ data: Data, to url: URL) throws {
        let path = url.path
        let directory = url.deletingLastPathComponent().path
        let temporary = directory + "/." + url.lastPathComponent + ".tmp-" + UUID().uuidString
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw failure(path, "creating a temporary file in \(directory): \(systemError())",
                          hint: " (does the directory exist and is it writable?)")
        }
        do {
            try writeAll(data, to: descriptor, path: path)
            guard fsync(descriptor) == 0 else { throw failure(path, "flushing to disk: \(systemError())") }
            guard close(descriptor) == 0 else { throw failure(path, "closing: \(systemError())") }
        } catch {
            _ = close(descriptor)
            _ = unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let reason = systemError()
            _ = unlink(temporary)
            throw failure(path, "replacing the file: \(reason)")
        }
        syncDirectory(directory)
    }

    /// Creates the file `url` with `data` and flushes it to disk. Nothing already at `url` is
    /// touched: an existing file or link there, even a dangling one, is an error.
    ///
    /// - Throws: `FileError` naming the path, the step that failed and the system's reason.
    public static func create(_ data: Data, at url: URL) throws {
        let path = url.path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure(path, "creating the file: \(systemError())") }
        do {
            try writeAll(data, to: descriptor, path: path)
            guard fsync(descriptor) == 0 else { throw failure(path, "flushing to disk: \(systemError())") }
        } catch {
            _ = close(descriptor)
            throw error
        }
        guard close(descriptor) == 0 else { throw failure(path, "closing: \(systemError())") }
    }

    /// Reads the whole file at `url`.
    ///
    /// - Throws: `FileError` with the system's reason, e.g. "No such file or directory".
    public static func read(_ url: URL) throws -> Data {
        let path = url.path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw FileError(path: path, operation: "read", reason: systemError())
        }
        defer { _ = close(descriptor) }
        var data = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { posixRead(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return data }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileError(path: path, operation: "read", reason: systemError())
            }
            data.append(contentsOf: chunk[0..<count])
        }
    }

    private static func writeAll(_ data: Data, to descriptor: Int32, path: String) throws {
        try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < buffer.count {
                let written = posixWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw failure(path, "writing: \(systemError())")
                }
                offset += written
            }
        }
    }

    /// Flushes the directory entry; some file systems refuse fsync on directories, which is harmless.
    package static func syncDirectory(_ directory: String) {
        let descriptor = open(directory, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        _ = close(descriptor)
    }

    private static func failure(_ path: String, _ reason: String, hint: String = "") -> FileError {
        FileError(path: path, operation: "write", reason: reason + hint)
    }

    package static func systemError() -> String {
        String(cString: strerror(errno))
    }
}

// Inside `AtomicFile`, `read` and `write` name its own methods; these reach the C functions.
private func posixRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}

private func posixWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}
