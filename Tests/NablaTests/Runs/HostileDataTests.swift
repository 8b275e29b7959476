import Foundation
import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// Data files that lie or hold what training cannot use: each is one clear error, never a crash
/// and never a silent run on broken numbers.
@Suite struct HostileDataTests {
    private func message(_ body: () throws -> Void) -> String? {
        do { try body() } catch { return String(describing: error) }
        return nil
    }

    @Test func zeroDimensionalNPYFeaturesAreAnError() throws {
        let folder = try IOTempDirectory()
        try NPY.write(Tensor(3), to: folder.file("x.npy"))
        try NPY.write(Tensor([0, 1, 0]), to: folder.file("y.npy"))
        let text = message { _ = try DataSource.npy(inputs: folder.file("x.npy").path, targets: folder.file("y.npy").path).load() }
        #expect(text?.contains("x.npy") == true && text?.contains("0-d") == true, "\(text ?? "no error")")
    }

    @Test func idxImageAndLabelCountsThatDifferAreAnError() throws {
        let folder = try IOTempDirectory()
        let images = Tensor.zeros([3, 2, 2]), labels = Tensor([1, 2])
        for prefix in ["train", "t10k"] {
            try IDX.write(images, to: folder.file("\(prefix)-images-idx3-ubyte"))
            try IDX.write(labels, to: folder.file("\(prefix)-labels-idx1-ubyte"))
        }
        let text = message { _ = try DataSource.fashionMNIST.load(options: DataOptions(directory: folder.url.path)) }
        #expect(text?.contains("3 images but 2 labels") == true, "\(text ?? "no error")")
    }

    @Test(arguments: ["nan", "inf", "-inf", "1e39"])
    func nonFiniteCSVFeaturesNameTheRowAndColumn(_ value: String) throws {
        let folder = try IOTempDirectory()
        let url = folder.file("data.csv")
        try "a,b,label\n1,2,0\n3,\(value),1\n5,6,0\n".write(to: url, atomically: true, encoding: .utf8)
        let text = message { _ = try DataSource.csv(path: url.path).load() }
        #expect(text?.contains("data.csv") == true && text?.contains("line 3, column 2") == true,
                "\(text ?? "no error")")
    }

    @Test func nonFiniteNPYFeaturesNameTheSampleAndFeature() throws {
        let folder = try IOTempDirectory()
        try NPY.write(Tensor([[1, 2], [.nan, 3], [4, 5]]), to: folder.file("x.npy"))
        try NPY.write(Tensor([0, 1, 0]), to: folder.file("y.npy"))
        let text = message { _ = try DataSource.npy(inputs: folder.file("x.npy").path, targets: folder.file("y.npy").path).load() }
        #expect(text?.contains("x.npy") == true && text?.contains("sample 1") == true && text?.contains("feature 0") == true,
                "\(text ?? "no error")")
    }
}
