import Foundation
import Testing
import Nabla

/// Files written by NumPy 2.4 (`np.save`, or `np.lib.format.write_array(..., version=)`), base64.
enum NPYFixtures {
    static let float32 = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAMA/AAAAwAAAQEAAAIBAAACoQAAAwMA="
    static let fortran = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMyksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAABAQAAAgD8AAIBAAAAAQAAAoEA="

    /// (name, base64, shape, values) for each dtype, byte order and version NumPy writes.
    static let cases: [(String, String, [Int], [Float])] = [
        ("<f4", float32, [2, 3], [1.5, -2, 3, 4, 5.25, -6]),
        (">f8", "k05VTVBZAQB2AHsnZGVzY3InOiAnPmY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAo/+AAAAAAAAMACAAAAAAAAfjfkPIgAdZw=", [3], [1.5, -2.25, .infinity]),
        (">i2", "k05VTVBZAQB2AHsnZGVzY3InOiAnPmkyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDIpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAqAAH//AAD//w==", [2, 2], [-32768, 32767, 0, -1]),
        ("|u1", "k05VTVBZAQB2AHsnZGVzY3InOiAnfHUxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAf8=", [3], [0, 1, 255]),
        ("|i1", "k05VTVBZAQB2AHsnZGVzY3InOiAnfGkxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAqAfw==", [2], [-128, 127]),
        ("|b1", "k05VTVBZAQB2AHsnZGVzY3InOiAnfGIxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAAE=", [3], [1, 0, 1]),
        ("<i8", "k05VTVBZAQB2AHsnZGVzY3InOiAnPGk4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAP///wcAAAAAAAAA", [2], [-1_099_511_627_776, 7]),
        ("<u2", "k05VTVBZAQB2AHsnZGVzY3InOiAnPHUyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAr//wIA", [2], [65535, 2]),
        ("<u4", "k05VTVBZAQB2AHsnZGVzY3InOiAnPHU0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDEsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAKGvu", [1], [4_000_000_000]),
        ("<u8", "k05VTVBZAQB2AHsnZGVzY3InOiAnPHU4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDEsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAgA==", [1], [9_223_372_036_854_775_808]),
        ("<i4", "k05VTVBZAQB2AHsnZGVzY3InOiAnPGk0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAACAOTAAAA==", [2], [-2_147_483_648, 12345]),
        ("<f2", "k05VTVBZAQB2AHsnZGVzY3InOiAnPGYyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDQsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAPAC4/3sBAA==", [4], [1, -0.5, 65504, 0x1p-24]),
        ("scalar", "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAGBA", [], [3.5]),
        ("empty", "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDAsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAo=", [0, 3], []),
        ("v2.0", "k05VTVBZAgB0AAAAeydkZXNjcic6ICc8ZjQnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMywpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAIA/AAAAQAAAQEA=", [3], [1, 2, 3]),
        ("v3.0", "k05VTVBZAwB0AAAAeydkZXNjcic6ICc8ZjQnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMywpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAIA/AAAAQAAAQEA=", [3], [1, 2, 3]),
    ]
}

@Suite("IO: NPY")
struct IONPYTests {
    @Test(arguments: NPYFixtures.cases.indices)
    func readsNumPyFiles(index: Int) throws {
        let (name, base64, shape, values) = NPYFixtures.cases[index]
        let tensor = try NPY.read(data: Data(fixture: base64), name: name)
        #expect(tensor.shape == shape, "\(name)")
        #expect(tensor.scalars == values, "\(name)")
    }

    @Test func writesTheSameBytesAsNumPy() throws {
        let tensor = Tensor(shape: [2, 3], scalars: [1.5, -2, 3, 4, 5.25, -6])
        #expect(NPY.encode(tensor) == Data(fixture: NPYFixtures.float32))
        let directory = try IOTempDirectory()
        for shape in [[], [0], [7], [2, 1, 3]] {
            let values = (0..<shape.reduce(1, *)).map { Float($0) * 0.25 - 1 }
            try NPY.write(Tensor(shape: shape, scalars: values), to: directory.file("x.npy"))
            let read = try NPY.read(contentsOf: directory.file("x.npy"))
            #expect(read.shape == shape)
            #expect(read.scalars == values)
            #expect(try Data(contentsOf: directory.file("x.npy")).count % 64 == values.count * 4 % 64)
        }
    }

    @Test func refusesFortranOrder() {
        #expect(formatErrorText { _ = try NPY.read(data: Data(fixture: NPYFixtures.fortran), name: "f.npy") }
            == "f.npy: byte 10: array is stored in Fortran (column-major) order; save it with np.save(path, np.ascontiguousarray(a))")
    }

    @Test func reportsTruncatedDataAndBadHeaders() {
        let valid = [UInt8](Data(fixture: NPYFixtures.float32))
        #expect(formatErrorText { _ = try NPY.read(data: Data(valid.dropLast(5)), name: "a.npy") }
            == "a.npy: byte 147: header promises 24 bytes of data for shape [2, 3] but only 19 follow; the file is truncated")
        #expect(formatErrorText { _ = try NPY.read(data: Data(valid.prefix(60)), name: "a.npy") }
            == "a.npy: byte 60: header length 118 runs past the end of the file; the file is truncated")
        #expect(formatErrorText { _ = try NPY.read(data: Data("PK\u{3}\u{4}0123456789".utf8), name: "a.npy") }
            == "a.npy: byte 0: bad magic string (expected \\x93NUMPY); is this a .npy file?")
        #expect(formatErrorText { _ = try NPY.read(data: header("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }"), name: "c.npy") }
            == "c.npy: byte 10: unsupported dtype '<c8'; supported: bool, int8-64, uint8-64, float16/32/64 ('<f4', '>i2', '|u1', ...)")
        #expect(formatErrorText { _ = try NPY.read(data: header("{'descr': '<f4', 'fortran_order': False, 'shape': (3), }"), name: "s.npy") }
            == "s.npy: byte 63: shape (3) lacks the comma that makes it a tuple; the .npy header is malformed")
        #expect(formatErrorText { _ = try NPY.read(data: header("{'descr': '<f4', 'shape': (1,), 'evil': __import__('os')}"), name: "e.npy") }
            == "e.npy: byte 42: unexpected header key 'evil'; the .npy header is malformed")
    }

    @Test func refusesShapesWhoseSizeOverflows() {
        let text = "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }"
        #expect(formatErrorText { _ = try NPY.read(data: header(text), name: "o.npy") }
            == "o.npy: byte 8: shape [4294967296, 4294967296] describes more bytes than can be addressed; the header is corrupt")
    }

    @Test func fuzzedFilesParseOrThrowFormatError() {
        let rejected = fuzzParser([UInt8](Data(fixture: NPYFixtures.cases[2].1)), seed: 21) { _ = try NPY.read(data: $0, name: "fuzz.npy") }
        #expect(rejected > 500)
    }

    /// A version 1.0 file with header `text` and no data.
    private func header(_ text: String) -> Data {
        let bytes = Array(text.utf8) + [0x0A]
        return Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(bytes.count & 0xFF), UInt8(bytes.count >> 8)] + bytes)
    }
}
