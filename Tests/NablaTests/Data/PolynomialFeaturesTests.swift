import Foundation
import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary

/// One case of Tests/Fixtures/polynomial_features.json (scikit-learn's PolynomialFeatures).
struct PolynomialCase: Decodable, Sendable, CustomStringConvertible {
    let name: String
    let degree: Int
    let interactionOnly: Bool
    let includeBias: Bool
    let inputShape: [Int]
    let input: [Double]
    let outputShape: [Int]
    let output: [Double]
    let columns: [String]
    var description: String { name }

    enum CodingKeys: String, CodingKey {
        case name, degree, interactionOnly = "interaction_only", includeBias = "include_bias", inputShape = "input_shape"
        case input, outputShape = "output_shape", output, columns
    }

    static let all: [PolynomialCase] = {
        struct File: Decodable { let cases: [PolynomialCase] }
        let url = Fixtures.directory.appendingPathComponent("polynomial_features.json")
        return try! JSONDecoder().decode(File.self, from: Data(contentsOf: url)).cases
    }()
}

@Suite struct PolynomialFeaturesTests {
    @Test(arguments: PolynomialCase.all) func matchesScikitLearn(_ golden: PolynomialCase) {
        let poly = PolynomialFeatures(degree: golden.degree, interactionOnly: golden.interactionOnly, includeBias: golden.includeBias,
                                      inputFeatures: golden.inputShape[1])
        #expect(poly.featureNames() == golden.columns)
        #expect(poly.outputFeatures == golden.outputShape[1])
        let out = poly.transform(Tensor(shape: golden.inputShape, scalars: golden.input.map { Float($0) }))
        #expect(out.shape == golden.outputShape)
        for (index, (got, want)) in zip(out.scalars, golden.output).enumerated() {
            #expect(abs(Double(got) - want) <= 1e-5 * max(1, abs(want)), "\(golden.name)[\(index)]: \(got) vs \(want)")
        }
    }

    @Test func countsWithoutBuildingAndRefusesOverflow() {
        #expect(PolynomialFeatures.outputCount(inputFeatures: 784, degree: 2, interactionOnly: false, includeBias: false) == 308_504)
        #expect(PolynomialFeatures.outputCount(inputFeatures: 10, degree: 3, interactionOnly: true, includeBias: true) == 176)
        #expect(PolynomialFeatures.outputCount(inputFeatures: 3, degree: 9, interactionOnly: true, includeBias: false) == 7)
        #expect(PolynomialFeatures.outputCount(inputFeatures: 1 << 40, degree: 10, interactionOnly: false, includeBias: false) == nil)
    }

    @Test func roundTripsThroughJSON() throws {
        let poly = PolynomialFeatures(degree: 3, interactionOnly: true, includeBias: false, inputFeatures: 4)
        #expect(try JSONDecoder().decode(PolynomialFeatures.self, from: JSONEncoder().encode(poly)) == poly)
    }
}
