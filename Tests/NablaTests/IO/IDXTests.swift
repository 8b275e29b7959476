import Foundation
import Testing
import Nabla

@Suite("IO: IDX")
struct IOIDXTests {
    /// `gzip.compress` of an IDX file holding uint8 [6, 8, 8] with values (i * 37 + i / 5) % 256.
    static let gzipped = Data(fixture: "H4sIAAAAAAACAx3NZyjmAQAH4D8v7rWPJFscDsneOwlnO4dLODN7JHt7cUnWGYczEsdrZB1J9t5JtuyRbC5bkl8+PJ8fgiCTCIJgAPI7cdPggu4dOinLsJL+A7KsbVT58DGrokNc1cQ5h6pTcu3MNbeWa1rD/B2fnmdGy9KTkKFvdvva6yeTwLyuLdrP5qFFvXsMMjYRpYNHzPJ2MZVjp+zKjol/py65NFxS6uZueHTc05sWHgQMvDPbVl5EjPxzOzeQhhQilbZCesiItGIE6fd4pJxqSGf/I/3ZiFTfC+mzMNKOdaRB+UglLZDuf0BaNoTUPhbpRxWk01dIU+uR6nogfRRE+m8VacAvpBJmSHfpkf4ZQPotGimbEtLJC6QUKlJtN6T3/Ehbl5H65SAV+4J0m4S0uA/p10ikLApIx8+QJtUg1fyB9JYXafMiUp8spKLGSDdpkP7uQWodjpRJDunoCdKEaqTqzhTqG298zP6QAQAA")
    static let expected: [Float] = (0..<384).map { Float(($0 * 37 + $0 / 5) % 256) }

    @Test func readsPythonGzippedFile() throws {
        let tensor = try IDX.read(data: Self.gzipped, name: "images-idx3-ubyte.gz")
        #expect(tensor.shape == [6, 8, 8])
        #expect(tensor.scalars == Self.expected)
    }

    @Test(arguments: IDX.TypeCode.allCases)
    func roundTripsEveryTypeThroughRawAndGzipFiles(typeCode: IDX.TypeCode) throws {
        let directory = try IOTempDirectory()
        let values: [Float] = typeCode == .unsignedByte ? [0, 1, 127, 255, 3, 9] : [-128, 1, 127, 0, -3, 9]
        let tensor = Tensor(shape: [2, 3], scalars: typeCode == .float || typeCode == .double ? values.map { $0 + 0.5 } : values)
        for name in ["t.idx", "t.idx.gz"] {
            try IDX.write(tensor, to: directory.file(name), typeCode: typeCode)
            let read = try IDX.read(contentsOf: directory.file(name))
            #expect(read.shape == [2, 3])
            #expect(read.scalars == tensor.scalars)
        }
    }

    @Test func encodesBigEndianHeaderAndData() {
        let bytes = IDX.encode(Tensor(shape: [1, 2], scalars: [1, -2]), typeCode: .short)
        #expect(bytes == [0, 0, 0x0B, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 1, 0xFF, 0xFE])
    }

    @Test func readsRealFashionMNISTWhenInstalled() throws {
        let directory = URL(fileURLWithPath: "/usr/share/datasets/fashion-mnist")
        let labels = directory.appendingPathComponent("t10k-labels-idx1-ubyte.gz")
        guard FileManager.default.fileExists(atPath: labels.path) else { return }
        let tensor = try IDX.read(contentsOf: labels)
        #expect(tensor.shape == [10_000])
        #expect(tensor.scalars.allSatisfy { (0...9).contains($0) && $0.rounded() == $0 })
    }

    @Test func reportsWrongMagicNumbers() {
        var header = IDX.encode(Tensor(shape: [1, 1, 1, 1], scalars: [0]))
        #expect(formatErrorText { _ = try IDX.read(data: Data(header), name: "train-images-idx3-ubyte.gz") }
            == "train-images-idx3-ubyte.gz: byte 2: bad magic number 0x0804 (expected 0x0803 for unsigned-byte images); is this an IDX file?")
        header[2] = 0x0A
        #expect(formatErrorText { _ = try IDX.read(data: Data(header), name: "x") }
            == "x: byte 2: bad magic number 0x0a04 (unknown type code 0x0a); is this an IDX file?")
        #expect(formatErrorText { _ = try IDX.read(data: Data("P5\n28 28\n".utf8), name: "x.pgm") }
            == "x.pgm: byte 0: bad magic number 0x50350a32 (IDX files start with two zero bytes); is this an IDX file?")
        #expect(formatErrorText { _ = try IDX.read(data: Data([0, 0, 8]), name: "x") }
            == "x: byte 3: file is 3 bytes, too short for the 4-byte IDX magic number; the file is truncated")
    }

    @Test func reportsTruncatedAndOversizedData() {
        let bytes = IDX.encode(Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]))
        #expect(formatErrorText { _ = try IDX.read(data: Data(bytes.dropLast(2)), name: "x") }
            == "x: byte 16: header promises 6 bytes of data for shape [2, 3] but only 4 follow; the file is truncated; download it again")
        #expect(formatErrorText { _ = try IDX.read(data: Data(bytes + [7]), name: "x") }
            == "x: byte 18: 1 unexpected bytes after the data for shape [2, 3]; is the header's shape right?")
        #expect(formatErrorText { _ = try IDX.read(data: Data(bytes.prefix(9)), name: "x") }
            == "x: byte 9: file ends inside the 2 dimension sizes; the file is truncated; download it again")
    }

    @Test func refusesDimensionsWhoseProductOverflows() {
        let header: [UInt8] = [0, 0, 0x0E, 3] + [UInt8](repeating: 0xFF, count: 12)
        #expect(formatErrorText { _ = try IDX.read(data: Data(header), name: "x") }
            == "x: byte 4: dimensions [4294967295, 4294967295, 4294967295] describe more bytes than can be addressed; the header is corrupt")
    }

    @Test func refusesGzippedDimensionsWhoseSizePlusTheHeaderOverflows() {
        // 7·7·73·127·337·92737·649657 = Int.max bytes of data: the data size fits, adding the header's 32 bytes trapped.
        let dimensions: [UInt32] = [7, 7, 73, 127, 337, 92_737, 649_657]
        let header: [UInt8] = [0, 0, 0x08, 7] + dimensions.flatMap { d in (0..<4).reversed().map { UInt8(truncatingIfNeeded: d >> ($0 * 8)) } }
        #expect(formatErrorText { _ = try IDX.read(data: Gzip.storedGzip(header), name: "x.gz") }
            == "x.gz: byte 4: dimensions \(dimensions) describe more bytes than can be addressed; the header is corrupt")
    }

    @Test func fuzzedRawFilesParseOrThrowFormatError() {
        let bytes = IDX.encode(Tensor(shape: [3, 4, 2], scalars: (0..<24).map(Float.init)), typeCode: .short)
        let rejected = fuzzParser(bytes, seed: 11) { _ = try IDX.read(data: $0, name: "fuzz-idx3") }
        #expect(rejected > 500)
    }

    @Test func fuzzedGzipFilesParseOrThrowFormatError() {
        let rejected = fuzzParser([UInt8](Self.gzipped), seed: 12) { _ = try IDX.read(data: $0, name: "fuzz.gz", maxBytes: 1 << 20) }
        #expect(rejected > 900)
    }
}
