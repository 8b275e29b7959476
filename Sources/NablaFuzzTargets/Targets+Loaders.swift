import Foundation
import Nabla

extension FuzzTarget {
    /// IDX files, raw or gzip-compressed.
    static let idx = FuzzTarget("idx", "IDX.read (raw and gzip-compressed)", expecting: [FormatError.self],
                                seeds: FuzzSeeds.idx) { data in
        let tensor = try IDX.read(data: data, name: "fuzz.idx", maxBytes: maxOutputBytes)
        try require(tensor.shape.allSatisfy { $0 >= 0 } && tensor.count == Shape.count(tensor.shape),
                    "IDX.read gave shape \(tensor.shape) for \(tensor.count) values")
    }

    /// `.npy` files; what is read must come back from `NPY.encode` unchanged.
    static let npy = FuzzTarget("npy", "NPY.read, and NPY.encode of the result", expecting: [FormatError.self],
                                seeds: FuzzSeeds.npy, words: { FuzzWords.npy }) { data in
        let tensor = try NPY.read(data: data, name: "fuzz.npy")
        let again = try NPY.read(data: NPY.encode(tensor), name: "encoded.npy")
        try require(sameBits(tensor, again), "NPY.encode of shape \(tensor.shape) reads back as \(again.shape) or other values")
    }

    /// CSV tables, strictly (finite numbers only), then allowing NaN, infinities and a text label
    /// column, then split into features and labels.
    static let csv = FuzzTarget("csv", "CSV.read (all modes) and CSV.features", expecting: [FormatError.self],
                                seeds: FuzzSeeds.csv) { data in
        _ = try refusedAsNil(FormatError.self) { try CSV.read(data: data, name: "fuzz.csv") }
        let table = try CSV.read(data: data, name: "fuzz.csv", hasHeader: nil, allowNonFinite: true, textColumn: -1)
        try require(table.text.map { $0.count == table.rows } ?? true, "CSV.read kept a text cell for some rows only")
        let (features, labels) = CSV.features(table)
        try require(features.count + labels.count == table.values.count, "CSV.features lost or added cells")
    }

    /// PGM images; every pixel must come out in [0, 1].
    static let pgm = FuzzTarget("pgm", "PGM.read (P2 and P5, 8 and 16 bits)", expecting: [FormatError.self],
                                seeds: FuzzSeeds.pgm, words: { FuzzWords.pgm }) { data in
        let image = try PGM.read(data: data, name: "fuzz.pgm")
        try require(image.rank == 3 && image.shape[0] == 1, "PGM.read gave shape \(image.shape)")
        try require(image.scalars.allSatisfy { $0 >= 0 && $0 <= 1 }, "PGM.read gave a pixel outside [0, 1]")
    }

    /// safetensors files; what is read must come back from `Safetensors.encode` unchanged.
    static let safetensors = FuzzTarget("safetensors", "Safetensors.read, and Safetensors.encode of the result",
                                        expecting: [FormatError.self], seeds: FuzzSeeds.safetensors,
                                        words: { FuzzWords.json + FuzzWords.strings(inJSONSeeds: FuzzSeeds.safetensors()) }) { data in
        let (tensors, metadata) = try Safetensors.read(data: data, name: "fuzz.safetensors")
        let again = try Safetensors.read(data: Safetensors.encode(tensors, metadata: metadata), name: "encoded.safetensors")
        try require(again.metadata == metadata, "Safetensors.encode changed the metadata")
        try require(again.tensors.keys.sorted() == tensors.keys.sorted(), "Safetensors.encode changed the tensor names")
        for (name, tensor) in tensors {
            try require(sameBits(tensor, again.tensors[name]!), "Safetensors.encode changed tensor \(name)")
        }
    }

    /// Whether two tensors have the same shape and bit-identical values (NaN payloads included).
    private static func sameBits(_ a: Tensor, _ b: Tensor) -> Bool {
        a.shape == b.shape && a.scalars.map(\.bitPattern) == b.scalars.map(\.bitPattern)
    }
}
