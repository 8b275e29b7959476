import Foundation
import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// The points of a 2-D classification set as (x, y, label) triples.
private func points(_ data: TensorDataset) -> [(x: Double, y: Double, label: Int)] {
    let xy = data.inputs.scalars, labels = data.targets.scalars
    return (0..<data.count).map { (Double(xy[2 * $0]), Double(xy[2 * $0 + 1]), Int(labels[$0])) }
}

/// The best accuracy of any line `w·p > b` over a sweep of directions and offsets.
private func bestLinearAccuracy(_ data: [(x: Double, y: Double, label: Int)]) -> Double {
    var best = 0.0
    for step in 0..<72 {
        let angle = Double(step) * Double.pi / 36
        let projected = data.map { ($0.x * cos(angle) + $0.y * sin(angle), $0.label) }
        for offset in stride(from: -1.5, through: 1.5, by: 0.05) {
            let correct = projected.filter { ($0.0 > offset ? 1 : 0) == $0.1 }.count
            best = max(best, Double(correct) / Double(data.count))
        }
    }
    return best
}

@Suite struct SyntheticTests {
    @Test func classificationSetsHaveShapesBalanceAndSeeds() {
        let makers: [(Int, Double, UInt64) -> TensorDataset] = [
            { Synthetic.twoSpirals(count: $0, noise: $1, seed: $2) },
            { Synthetic.moons(count: $0, noise: $1, seed: $2) },
            { Synthetic.xor(count: $0, noise: $1, seed: $2) },
        ]
        for make in makers {
            let data = make(200, 0.1, 1)
            #expect(data.inputs.shape == [200, 2] && data.targets.shape == [200])
            #expect(data.targets.scalars.allSatisfy { $0 == 0 || $0 == 1 })
            #expect(data.targets.scalars.filter { $0 == 1 }.count == 100)
            #expect(make(200, 0.1, 1).inputs.scalars == data.inputs.scalars)
            #expect(make(200, 0.1, 1).targets.scalars == data.targets.scalars)
            #expect(make(200, 0.1, 2).inputs.scalars != data.inputs.scalars)
            // Shuffled: the labels are not sorted into two blocks.
            #expect(Array(data.targets.scalars.prefix(100)) != [Float](repeating: 0, count: 100))
            #expect([3, 4].contains(make(7, 0, 0).targets.scalars.filter { $0 == 1 }.count))
        }
    }

    @Test func spiralsFollowTheirRadiusAngleLaw() {
        let turns = 1.5, maxAngle = turns * 2 * Double.pi
        let data = points(Synthetic.twoSpirals(count: 400, noise: 0, turns: turns, seed: 3))
        for p in data {
            let radius = (p.x * p.x + p.y * p.y).squareRoot()
            #expect(radius <= 1 + 1e-6)
            // The polar angle is t = radius · maxAngle (class 0), or t + π (class 1), modulo 2π.
            let expected = radius * maxAngle + Double(p.label) * Double.pi
            var gap = (atan2(p.y, p.x) - expected).truncatingRemainder(dividingBy: 2 * Double.pi)
            if gap > Double.pi { gap -= 2 * Double.pi }
            if gap < -Double.pi { gap += 2 * Double.pi }
            #expect(radius < 1e-3 || abs(gap) < 1e-3)
        }
        // Both spirals wind all the way round: each class fills all four quadrants.
        for label in 0...1 {
            let quadrants = Set(data.filter { $0.label == label }.map { ($0.x > 0 ? 1 : 0) + ($0.y > 0 ? 2 : 0) })
            #expect(quadrants.count == 4)
        }
        #expect(bestLinearAccuracy(data) < 0.75)
    }

    @Test func moonsMatchSklearnsCurves() {
        let data = points(Synthetic.moons(count: 100, noise: 0, seed: 0))
        for p in data {
            if p.label == 0 {
                #expect(abs(p.x * p.x + p.y * p.y - 1) < 1e-5 && p.y >= -1e-6)
            } else {
                #expect(abs((p.x - 1) * (p.x - 1) + (p.y - 0.5) * (p.y - 0.5) - 1) < 1e-5 && p.y <= 0.5 + 1e-6)
            }
        }
        // sklearn's endpoints: the upper moon runs from (1, 0) to (-1, 0), the lower from (0, 0.5) to (2, 0.5).
        let ends = data.map { [Float($0.x), Float($0.y), Float($0.label)] }
        for end in [[1, 0, 0], [-1, 0, 0], [0, 0.5, 1], [2, 0.5, 1]] as [[Float]] {
            #expect(ends.contains { zip($0, end).allSatisfy { abs($0 - $1) < 1e-6 } })
        }
        #expect(bestLinearAccuracy(data) < 0.95)
    }

    @Test func xorLabelsAreTheSignProduct() {
        let clean = points(Synthetic.xor(count: 40, noise: 0, seed: 0))
        for p in clean {
            #expect(abs(p.x) == 1 && abs(p.y) == 1)
            #expect(p.label == (p.x * p.y < 0 ? 1 : 0))
        }
        #expect(Set(clean.map { "\($0.x),\($0.y)" }).count == 4)
        // With std 0.5 about 4.5% of points cross an axis; the label follows the cluster, not the point.
        let noisy = points(Synthetic.xor(count: 400, noise: 0.5, seed: 1))
        let agree = noisy.filter { $0.label == ($0.x * $0.y < 0 ? 1 : 0) }.count
        #expect(agree > 350 && agree < 400)
        #expect(bestLinearAccuracy(noisy) < 0.8)
    }

    @Test func noisyLineFollowsSlopeAndIntercept() {
        let clean = Synthetic.noisyLine(count: 50, slope: 2, intercept: -1, noise: 0, seed: 0)
        #expect(clean.inputs.shape == [50, 1] && clean.targets.shape == [50, 1])
        for (x, y) in zip(clean.inputs.scalars, clean.targets.scalars) {
            #expect(x >= -1 && x <= 1 && abs(y - (2 * x - 1)) < 1e-6)
        }
        // Least squares on the noisy set recovers the line.
        let noisy = Synthetic.noisyLine(count: 2000, slope: 2, intercept: -1, noise: 0.1, seed: 1)
        let xs: [Double] = noisy.inputs.scalars.map(Double.init), ys: [Double] = noisy.targets.scalars.map(Double.init)
        let mx: Double = xs.reduce(0, +) / 2000, my: Double = ys.reduce(0, +) / 2000
        var covariance = 0.0, variance = 0.0, squaredError = 0.0
        for (x, y) in zip(xs, ys) {
            covariance += (x - mx) * (y - my)
            variance += (x - mx) * (x - mx)
            squaredError += (y - 2 * x + 1) * (y - 2 * x + 1)
        }
        let slope = covariance / variance
        #expect(abs(slope - 2) < 0.03 && abs(my - slope * mx + 1) < 0.02)
        #expect(abs((squaredError / 2000).squareRoot() - 0.1) < 0.01)
        #expect(Synthetic.noisyLine(count: 5, slope: 1, intercept: 0, noise: 0.1, seed: 1).targets.scalars
            == Synthetic.noisyLine(count: 5, slope: 1, intercept: 0, noise: 0.1, seed: 1).targets.scalars)
    }

    @Test func sineWaveSamplesSine() {
        let clean = Synthetic.sineWave(count: 100, noise: 0, seed: 2)
        #expect(clean.inputs.shape == [100, 1] && clean.targets.shape == [100, 1])
        for (x, y) in zip(clean.inputs.scalars, clean.targets.scalars) {
            #expect(abs(x) <= Float.pi && abs(y - sin(x)) < 1e-6)
        }
        #expect(clean.inputs.scalars.min()! < -2.5 && clean.inputs.scalars.max()! > 2.5)
        let noisy = Synthetic.sineWave(count: 100, noise: 0.5, seed: 2)
        #expect(noisy.inputs.scalars == clean.inputs.scalars && noisy.targets.scalars != clean.targets.scalars)
    }
}
