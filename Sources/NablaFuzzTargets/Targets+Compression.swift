import Foundation
import Nabla

extension FuzzTarget {
    /// The most bytes a compressed input may inflate to: far more than a 4 KB input needs to be
    /// interesting, far less than libFuzzer's memory limits.
    static let maxOutputBytes = 1 << 22

    /// `.gz` files: every member decoded and checked, the prefix that IDX reads first, and the
    /// decoded bytes wrapped again with `Gzip.storedGzip`.
    static let gzip = FuzzTarget("gzip", "Gzip.decompress, Gzip.prefix and Gzip.storedGzip", expecting: [FormatError.self],
                                 seeds: FuzzSeeds.gzip) { data in
        let head = try refusedAsNil(FormatError.self) { try Gzip.prefix(data, name: "fuzz.gz", count: 16) }
        let whole = try Gzip.decompress(data, name: "fuzz.gz", maxOutputBytes: maxOutputBytes)
        try require(head.map { whole.starts(with: $0) } ?? true, "Gzip.prefix gave bytes that do not start the whole output")
        let rewrapped = try Gzip.decompress(Gzip.storedGzip(whole), name: "rewrapped.gz", maxOutputBytes: maxOutputBytes)
        try require(rewrapped == whole, "Gzip.storedGzip of the output does not decompress to the output")
    }

    /// Raw DEFLATE streams: where the system has zlib, Nabla must decode what zlib decodes, to the
    /// same bytes, and refuse what zlib refuses.
    static let inflate = FuzzTarget("inflate", "Inflate.decompress, checked against the system's zlib",
                                    expecting: [FormatError.self], seeds: FuzzSeeds.inflate) { data in
        let ours = Result { try Inflate.decompress(data, name: "fuzz.deflate", maxOutputBytes: maxOutputBytes) }
        if let zlib = SystemZlib.shared {
            let limit = min(maxOutputBytes, data.count * 1032)  // DEFLATE expands at most 1032:1
            switch (try? ours.get(), zlib.inflate(rawDeflate: data, limit: limit)) {
            case (let mine?, let theirs?): try require(mine == theirs, "zlib decodes the stream to other bytes than Inflate")
            case (let mine?, nil): throw FuzzFinding(message: "zlib refuses a stream that Inflate decodes to \(mine.count) bytes")
            case (nil, let theirs?): throw FuzzFinding(message: "Inflate refuses a stream that zlib decodes to \(theirs.count) bytes")
            case (nil, nil): break
            }
        }
        _ = try ours.get()
    }
}

/// zlib's `uncompress2`, found at run time as Nabla finds BLAS (no headers, no link flags): an
/// oracle for the Swift DEFLATE decoder.
final class SystemZlib: Sendable {
    private typealias Uncompress = @convention(c) (UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt>?,
                                                   UnsafePointer<UInt8>?, UnsafeMutablePointer<UInt>?) -> Int32
    private let uncompress: Uncompress

    /// The system's zlib, or nil where none can be loaded.
    static let shared: SystemZlib? = {
        for name in ["libz.so.1", "libz.so", "libz.dylib"] {
            if let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL), let symbol = dlsym(handle, "uncompress2") {
                return SystemZlib(uncompress: unsafeBitCast(symbol, to: Uncompress.self))
            }
        }
        return nil
    }()

    private init(uncompress: Uncompress) {
        self.uncompress = uncompress
    }

    /// What zlib decodes a raw DEFLATE stream to, or nil if it refuses the stream, its output passes
    /// `limit` bytes or bytes follow its end (which zlib would ignore). zlib reads only zlib streams, whose Adler-32 trailer it checks: a first
    /// pass with a dummy trailer decodes the data, a second passes the checksum of what it decoded.
    func inflate(rawDeflate data: Data, limit: Int) -> [UInt8]? {
        let (okay, dataError): (Int32, Int32) = (0, -3)
        let first = decode(data, trailer: 0, limit: limit)
        if first.status == okay { return first.output.count <= limit ? first.output : nil }
        guard first.status == dataError else { return nil }
        let second = decode(data, trailer: Self.adler32(first.output), limit: limit)
        return second.status == okay && second.output.count <= limit ? second.output : nil
    }

    /// zlib's status for the stream, and what it decoded before it stopped (zlib sets the count on
    /// errors too); a stream that ends before the input does is a data error here.
    private func decode(_ data: Data, trailer: UInt32, limit: Int) -> (status: Int32, output: [UInt8]) {
        var stream: [UInt8] = [0x78, 0x01] + data  // deflate, 32 KiB window, no dictionary
        stream += (0..<4).reversed().map { UInt8(truncatingIfNeeded: trailer >> ($0 * 8)) }
        var status: Int32 = 0
        let output = [UInt8](unsafeUninitializedCapacity: limit + 1) { buffer, initialized in
            var (count, consumed) = (UInt(buffer.count), UInt(stream.count))
            status = stream.withUnsafeBufferPointer { uncompress(buffer.baseAddress, &count, $0.baseAddress, &consumed) }
            initialized = Int(min(count, UInt(buffer.count)))
            if status == 0 && consumed != UInt(stream.count) { status = -3 }
        }
        return (status, output)
    }

    private static func adler32<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var (a, b): (UInt32, UInt32) = (1, 0)
        for byte in bytes {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        return b << 16 | a
    }
}
