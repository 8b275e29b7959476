import Foundation
import Testing
import Nabla

@Suite("IO: safetensors")
struct IOSafetensorsTests {
    /// A file from `header` JSON and `data` bytes, with the 8-byte length prefix.
    private func file(_ header: String, _ data: [UInt8] = []) -> Data {
        let json = Array(header.utf8)
        return Data((0..<8).map { UInt8(truncatingIfNeeded: json.count >> ($0 * 8)) } + json + data)
    }

    private func bytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        values.flatMap { value in (0..<MemoryLayout<T>.size).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) } }
    }

    @Test func writesTheReferenceLayout() throws {
        let data = Safetensors.encode(["b": Tensor(shape: [2], scalars: [1, -2]), "a": Tensor(shape: [], scalars: [0.5])],
                                      metadata: ["format": "pt"])
        let header = #"{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        let padded = header + String(repeating: " ", count: (8 - header.utf8.count % 8) % 8)
        #expect(data == file(padded, bytes([Float(0.5).bitPattern, Float(1).bitPattern, Float(-2).bitPattern])))
        #expect((data.count - 12) % 8 == 0)
    }

    @Test func roundTripsTensorsAndMetadataThroughAFile() throws {
        let directory = try IOTempDirectory()
        let url = directory.file("model.safetensors")
        let tensors = ["fc.weight": Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]), "fc.bias": Tensor(shape: [3], scalars: [0, -1, 0.25]),
                       "emp\"ty\n": Tensor(shape: [0, 4], scalars: [])]
        try Safetensors.write(tensors, metadata: ["epoch": "3", "note": "naïve \"quoted\""], to: url)
        try Safetensors.write(tensors, metadata: ["epoch": "3", "note": "naïve \"quoted\""], to: url)  // overwrites
        let (read, metadata) = try Safetensors.read(contentsOf: url)
        #expect(metadata == ["epoch": "3", "note": "naïve \"quoted\""])
        #expect(Set(read.keys) == Set(tensors.keys))
        for (name, tensor) in tensors {
            #expect(read[name]?.shape == tensor.shape)
            #expect(read[name]?.scalars == tensor.scalars)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["model.safetensors"])
    }

    @Test func convertsOtherDtypes() throws {
        let header = #"{"d":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"h":{"dtype":"F16","shape":[2],"data_offsets":[8,12]},"#
            + #""b":{"dtype":"BF16","shape":[1],"data_offsets":[12,14]},"i":{"dtype":"I32","shape":[1],"data_offsets":[14,18]},"#
            + #""l":{"dtype":"I64","shape":[1],"data_offsets":[18,26]}}"#
        let data = bytes([Double(-1.25).bitPattern]) + bytes([UInt16(0x3C00), UInt16(0xC000)]) + bytes([UInt16(0x4049)])
            + bytes([Int32(-7)]) + bytes([Int64(1) << 40])
        let (tensors, _) = try Safetensors.read(data: file(header, data), name: "m")
        #expect(tensors["d"]?.scalars == [-1.25])
        #expect(tensors["h"]?.scalars == [1, -2])
        #expect(tensors["b"]?.scalars == [3.140625])
        #expect(tensors["i"]?.scalars == [-7])
        #expect(tensors["l"]?.scalars == [1_099_511_627_776])
    }

    @Test func reportsInvalidJSON() {
        #expect(formatErrorText { _ = try Safetensors.read(data: file(#"{"a": }"#), name: "m.safetensors") }
            == "m.safetensors: byte 14: unexpected '}' where a JSON value was expected; the JSON header is malformed")
        #expect(formatErrorText { _ = try Safetensors.read(data: file(#"{"a":1,"a":2}"#), name: "m") }
            == "m: byte 15: duplicate key \"a\"; the JSON header is malformed")
        #expect(formatErrorText { _ = try Safetensors.read(data: file(String(repeating: "[", count: 100)), name: "m") }
            == "m: byte 8: header does not start with '{'; is this a safetensors file?")
        #expect(formatErrorText { _ = try Safetensors.read(data: file("{" + String(repeating: "\"a\":{", count: 100)), name: "m") }
            == "m: byte 328: JSON nested more than 64 levels deep; the JSON header is malformed")
    }

    @Test func reportsLengthsAndOffsetsThatDoNotFit() {
        #expect(formatErrorText { _ = try Safetensors.read(data: Data([1, 2, 3]), name: "m") }
            == "m: byte 0: file is 3 bytes, too short for the 8-byte header length; the file is truncated or is not a safetensors file")
        var claimsTooMuch = [UInt8](file("{}"))
        claimsTooMuch[0] = 200
        #expect(formatErrorText { _ = try Safetensors.read(data: Data(claimsTooMuch), name: "m") }
            == "m: byte 0: header length 200 runs past the end of the file (2 bytes follow); the file is truncated")
        #expect(formatErrorText { _ = try Safetensors.read(data: Data([UInt8](repeating: 0xFF, count: 16)), name: "m") }
            == "m: byte 0: header length 18446744073709551615 exceeds the 100000000-byte limit; is this a safetensors file?")
        let truncated = file(#"{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}"#, [UInt8](repeating: 0, count: 10))
        #expect(formatErrorText { _ = try Safetensors.read(data: truncated, name: "m") }
            == "m: byte 75: tensor \"w\" ends at data offset 16 but the data section has 10 bytes; the file is truncated")
        let wrongSize = file(#"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, [UInt8](repeating: 0, count: 8))
        #expect(formatErrorText { _ = try Safetensors.read(data: wrongSize, name: "m") }
            == "m: byte 8: tensor \"w\" has 8 bytes in data_offsets but shape [3] of F32 needs 12")
        let overlap = file(#"{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}}"#, [1, 2, 3])
        #expect(formatErrorText { _ = try Safetensors.read(data: overlap, name: "m") }
            == "m: byte 8: tensor \"b\" at data_offsets [1, 3] overlaps the previous tensor")
        let overflow = file(#"{"a":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,0]}}"#)
        #expect(formatErrorText { _ = try Safetensors.read(data: overflow, name: "m") }
            == "m: byte 8: tensor \"a\" shape [4294967296, 4294967296] overflows")
        let extra = file(#"{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}"#, [1, 2])
        #expect(formatErrorText { _ = try Safetensors.read(data: extra, name: "m") }
            == "m: byte 8: 1 bytes after the last tensor are not described by the header")
    }

    @Test func fuzzedFilesParseOrThrowFormatError() {
        let valid = Safetensors.encode(["w": Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]), "b": Tensor(shape: [2], scalars: [5, 6])],
                                       metadata: ["k": "v"])
        let rejected = fuzzParser([UInt8](valid), seed: 41) { _ = try Safetensors.read(data: $0, name: "fuzz.safetensors") }
        #expect(rejected > 500)
    }
}

@Suite("IO: atomic files")
struct IOAtomicFileTests {
    @Test func replacesTheFileAndLeavesNoTemporaries() throws {
        let directory = try IOTempDirectory()
        let url = directory.file("a.bin")
        try AtomicFile.write(Data([1, 2, 3]), to: url)
        try AtomicFile.write(Data([4]), to: url)
        #expect(try AtomicFile.read(url) == Data([4]))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["a.bin"])
    }

    @Test func namesThePathAndReasonOnFailure() throws {
        let directory = try IOTempDirectory()
        let missing = directory.file("no/such/dir/a.bin")
        do {
            try AtomicFile.write(Data([1]), to: missing)
            Issue.record("expected a FileError")
        } catch let error as FileError {
            #expect(error.description == "cannot write \(missing.path): creating a temporary file in \(directory.url.path)/no/such/dir: "
                + "No such file or directory (does the directory exist and is it writable?)")
        }
        #expect(throws: FileError(path: missing.path, operation: "read", reason: "No such file or directory")) {
            try AtomicFile.read(missing)
        }
    }
}
