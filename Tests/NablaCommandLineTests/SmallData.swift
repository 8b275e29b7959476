import Foundation
import Nabla

/// Small data files for end-to-end runs of the command line.
enum SmallData {
    /// Four MNIST-format IDX files of 20 images 28×28 (10 classes) in `directory`, for `--data mnist --data-dir`.
    static func writeMNIST(to directory: URL) throws {
        let values: [Float] = (0..<(20 * 784)).map { (i: Int) -> Float in Float((i * 37 + (i / 784) * 11) % 256) }
        let images = Tensor(shape: [20, 28, 28], scalars: values)
        let labels = Tensor(shape: [20], scalars: (0..<20).map { Float($0 % 10) })
        for prefix in ["train", "t10k"] {
            try IDX.write(images, to: directory.appendingPathComponent("\(prefix)-images-idx3-ubyte"))
            try IDX.write(labels, to: directory.appendingPathComponent("\(prefix)-labels-idx1-ubyte"))
        }
    }

    /// `rows` rows `label,x,y` of two rings (label 0 outside, 1 inside), with a header.
    static func rings(rows: Int, phase: Double) -> String {
        let lines = (0..<rows).map { i -> String in
            let t = Double(i) * 2.399 + phase, label = i % 2, radius = label == 0 ? 1.0 : 0.4
            return "\(label),\(radius * cos(t)),\(radius * sin(t))"
        }
        return "label,x,y\n" + lines.joined(separator: "\n") + "\n"
    }
}
