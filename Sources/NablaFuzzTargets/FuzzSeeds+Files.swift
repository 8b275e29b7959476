import Foundation
import Nabla

/// The seed inputs of each target, small valid files made with the library's own writers or written
/// out by hand. `Fuzz/make-corpus.sh` writes them to `Fuzz/corpus/<target>/` and adds gzip-made ones.
enum FuzzSeeds {
    /// Gzip files of stored blocks, one or two members, and an empty one.
    static func gzip() -> [FuzzSeed] {
        let text = Array("the quick brown fox jumps over the lazy dog\n".utf8)
        return [
            FuzzSeed("empty.gz", Gzip.storedGzip([])),
            FuzzSeed("stored.gz", Gzip.storedGzip(text)),
            FuzzSeed("two-members.gz", Gzip.storedGzip(text) + Gzip.storedGzip(Array(text.reversed()))),
        ]
    }

    /// Raw DEFLATE streams of stored blocks: a gzip file without its 10-byte header and 8-byte trailer.
    static func inflate() -> [FuzzSeed] {
        gzip().filter { $0.name != "two-members.gz" }.map { seed in
            FuzzSeed(seed.name.replacingOccurrences(of: ".gz", with: ".deflate"), seed.data.dropFirst(10).dropLast(8))
        }
    }

    /// Every IDX type code, ranks 1 to 4, and a gzip-wrapped file.
    static func idx() -> [FuzzSeed] {
        let images = Tensor(shape: [2, 3, 3], scalars: (0..<18).map { Float($0 * 14) })
        let labels = Tensor([3, -1, 0, 7, -128])
        let values = Tensor(shape: [2, 2], scalars: [0.5, -1.25, 3e6, 1e-3])
        let volume = Tensor(shape: [1, 2, 1, 2], scalars: [1000, -2000, 30000, -32768])
        return [
            FuzzSeed("images-ubyte.idx", Data(IDX.encode(images, typeCode: .unsignedByte))),
            FuzzSeed("labels-byte.idx", Data(IDX.encode(labels, typeCode: .signedByte))),
            FuzzSeed("short.idx", Data(IDX.encode(volume, typeCode: .short))),
            FuzzSeed("int.idx", Data(IDX.encode(volume, typeCode: .int))),
            FuzzSeed("float.idx", Data(IDX.encode(values, typeCode: .float))),
            FuzzSeed("double.idx", Data(IDX.encode(values, typeCode: .double))),
            FuzzSeed("images-ubyte.idx.gz", Gzip.storedGzip(IDX.encode(images, typeCode: .unsignedByte))),
        ]
    }

    /// `NPY.encode` output of several shapes, and hand-made headers for the other dtypes and versions.
    static func npy() -> [FuzzSeed] {
        [
            FuzzSeed("matrix.npy", NPY.encode(Tensor(shape: [2, 3], scalars: [1, 2, 3, -4.5, .infinity, 0]))),
            FuzzSeed("vector.npy", NPY.encode(Tensor([0.25, -0.5]))),
            FuzzSeed("scalar.npy", NPY.encode(Tensor(7))),
            FuzzSeed("empty.npy", NPY.encode(Tensor(shape: [0, 4], scalars: []))),
            npyFile("big-endian-f8.npy", descr: ">f8", shape: "(2,)", body: [63, 240, 0, 0, 0, 0, 0, 0, 192, 0, 0, 0, 0, 0, 0, 0]),
            npyFile("int16.npy", descr: "<i2", shape: "(1, 3)", body: [1, 0, 255, 255, 0, 128]),
            npyFile("uint8.npy", descr: "|u1", shape: "(4,)", body: [0, 1, 127, 255]),
            npyFile("bool.npy", descr: "|b1", shape: "(2,)", body: [0, 1]),
            npyFile("half-v2.npy", descr: "<f2", shape: "(2,)", body: [0, 60, 0, 192], version: 2),
            npyFile("int64-v3.npy", descr: "<i8", shape: "(1,)", body: [42, 0, 0, 0, 0, 0, 0, 0], version: 3),
        ]
    }

    /// An `.npy` file as NumPy writes one, with its header dict spelled out.
    private static func npyFile(_ name: String, descr: String, shape: String, body: [UInt8], version: UInt8 = 1) -> FuzzSeed {
        var header = Array("{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }".utf8)
        let lengthSize = version == 1 ? 2 : 4
        header += repeatElement(UInt8(ascii: " "), count: (64 - (8 + lengthSize + header.count + 1) % 64) % 64)
        header.append(UInt8(ascii: "\n"))
        var file: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
        file += (0..<lengthSize).map { UInt8(truncatingIfNeeded: header.count >> ($0 * 8)) }
        return FuzzSeed(name, Data(file + header + body))
    }

    /// Headers or not, quoted fields, CRLF, a byte-order mark, non-finite values, text labels.
    static func csv() -> [FuzzSeed] {
        [
            FuzzSeed("header.csv", text: "sepal_length,sepal_width,label\n5.1,3.5,0\n4.9,3.0,0\n6.3,3.3,2\n"),
            FuzzSeed("no-header.csv", text: "1,2,3\n-4.5e2,0.001,+6\n"),
            FuzzSeed("quoted-crlf.csv", text: "\"a\",\"b, with comma\",\"c \"\"quoted\"\"\"\r\n\"1\", 2 ,3\r\n4,\"5\",6\r\n"),
            FuzzSeed("bom.csv", Data([0xEF, 0xBB, 0xBF] + Array("x,y\n1,0\n2,1\n".utf8))),
            FuzzSeed("non-finite.csv", text: "x,y\nnan,1\ninf,-inf\n1e39,0\n"),
            FuzzSeed("trailing-blank.csv", text: "1\n2\n\n\n"),
            FuzzSeed("text-labels.csv", text: "x,y,species\n5.1,3.5,setosa\n6.3,3.3,\" virginica\"\n4.9,3.0,2\n"),
        ]
    }

    /// Binary 8- and 16-bit, and plain text with comments.
    static func pgm() -> [FuzzSeed] {
        [
            FuzzSeed("p5.pgm", Data(Array("P5\n3 2\n255\n".utf8) + [0, 64, 128, 192, 255, 17])),
            FuzzSeed("p5-16bit.pgm", Data(Array("P5 2 1 65535\n".utf8) + [0x12, 0x34, 0xFF, 0xFF])),
            FuzzSeed("p2.pgm", text: "P2\n# a comment\n2 2\n# another\n15\n0 5\n10 15\n"),
        ]
    }

    /// `Safetensors.encode` output, and a hand-made header with every other dtype.
    static func safetensors() -> [FuzzSeed] {
        let tensors = ["fc.weight": Tensor(shape: [2, 2], scalars: [1, -2, 3.5, 0]), "fc.bias": Tensor([0.5, -0.5]),
                       "scale": Tensor(2), "empty": Tensor(shape: [0, 3], scalars: [])]
        let entries: [(String, String, [Int], Int)] = [
            ("a", "F64", [1], 8), ("b", "F16", [2], 4), ("c", "BF16", [1], 2), ("d", "I64", [1], 8), ("e", "I32", [1], 4),
            ("f", "I16", [1], 2), ("g", "I8", [2], 2), ("h", "U64", [1], 8), ("i", "U32", [1], 4), ("j", "U16", [1], 2),
            ("k", "U8", [1], 1), ("l", "BOOL", [1], 1),
        ]
        var offset = 0
        var fields: [String] = ["\"__metadata__\":{\"format\":\"pt\",\"note\":\"made by hand\"}"]
        for (name, dtype, shape, bytes) in entries {
            fields.append("\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":[\(offset),\(offset + bytes)]}")
            offset += bytes
        }
        let header = Array(("{" + fields.joined(separator: ",") + "}").utf8)
        var file = (0..<8).map { UInt8(truncatingIfNeeded: header.count >> ($0 * 8)) } + header
        file += (0..<offset).map { UInt8(truncatingIfNeeded: $0 * 37 + 11) }
        return [
            FuzzSeed("model.safetensors", Safetensors.encode(tensors, metadata: ["format": "pt", "epoch": "3"])),
            FuzzSeed("no-metadata.safetensors", Safetensors.encode(["x": Tensor([1, 2, 3])])),
            FuzzSeed("dtypes.safetensors", Data(file)),
        ]
    }
}
