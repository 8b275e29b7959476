import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// A dataset whose sample i has inputs [i, 10·i] and target i, so batches name their samples.
private func indexed(_ count: Int) -> TensorDataset {
    let inputs = (0..<count).flatMap { [Float($0), Float(10 * $0)] }
    return TensorDataset(inputs: Tensor(shape: [count, 2], scalars: inputs),
                         targets: Tensor((0..<count).map { Float($0) }))
}

/// The sample ids of every batch of one pass.
private func passIDs(_ batches: some Sequence<DataLoader.Batch>) -> [[Int]] {
    batches.map { $0.targets.scalars.map { Int($0) } }
}

@Suite struct DatasetTests {
    @Test func tensorDatasetGathersRowsInOrder() {
        let data = TensorDataset(inputs: Tensor.arange(0, 24).reshape([4, 2, 3]), targets: Tensor([5, 6, 7, 8]))
        let (x, y) = data.batch([3, 0, 3])
        #expect(data.count == 4)
        #expect(x.shape == [3, 2, 3] && y.shape == [3])
        let rows: [Float] = [18, 19, 20, 21, 22, 23, 0, 1, 2, 3, 4, 5, 18, 19, 20, 21, 22, 23]
        #expect(x.scalars == rows)
        #expect(y.scalars == [8, 5, 8])
        #expect(data.batch([Int]()).inputs.shape == [0, 2, 3])
        #expect(data.batch(1..<3).targets.scalars == [6, 7])
    }

    @Test func subsetViewsItsBaseAndFlattensNesting() {
        let data = indexed(10)
        let outer = Subset(data, indices: [9, 7, 5, 3, 1])
        let inner = Subset(outer, indices: [4, 0])
        #expect(outer.count == 5 && inner.count == 2)
        #expect(outer.batch([0, 2]).targets.scalars == [9, 5])
        #expect(inner.indices == [1, 9])
        #expect(inner.base is TensorDataset)
        #expect(inner.batch([0, 1]).inputs.scalars == [1, 10, 9, 90])
    }

    @Test func trainValidationSplitIsDisjointAndCovers() {
        let data = indexed(100)
        let (train, validation) = trainValidationSplit(data, validationFraction: 0.2, seed: 3)
        #expect(train.count == 80 && validation.count == 20)
        #expect(Set(train.indices).isDisjoint(with: validation.indices))
        #expect(Set(train.indices + validation.indices) == Set(0..<100))
        #expect(validation.batch(Array(0..<20)).targets.scalars.map { Int($0) } == validation.indices)
        let again = trainValidationSplit(data, validationFraction: 0.2, seed: 3)
        #expect(again.validation.indices == validation.indices)
        #expect(trainValidationSplit(data, validationFraction: 0.2, seed: 4).validation.indices != validation.indices)
        #expect(trainValidationSplit(indexed(7), validationFraction: 0.25, seed: 0).validation.count == 2)
    }

    @Test func randomSplitByLengthsAndFractions() {
        let parts = randomSplit(indexed(11), fractions: [0.5, 0.3, 0.2], seed: 1)
        // floor gives 5, 3, 2; the one left over goes to the first part, as PyTorch.
        #expect(parts.map(\.count) == [6, 3, 2])
        #expect(Set(parts.flatMap(\.indices)) == Set(0..<11))
        let byLength = randomSplit(indexed(6), lengths: [1, 5], seed: 9)
        #expect(byLength.map(\.count) == [1, 5])
        #expect(Set(byLength[0].indices).isDisjoint(with: byLength[1].indices))
    }
}

@Suite struct DataLoaderTests {
    @Test func everySampleAppearsOncePerEpoch() {
        let loader = DataLoader(indexed(10), batchSize: 3, shuffle: true, seed: 5)
        for epoch in 0..<4 {
            let ids = passIDs(loader.batches(epoch: epoch))
            #expect(ids.map(\.count) == [3, 3, 3, 1])
            #expect(ids.flatMap { $0 }.sorted() == Array(0..<10))
        }
        #expect(loader.batchesPerEpoch == 4)
    }

    @Test func batchesCarryMatchingInputsAndTargets() {
        for (x, y) in DataLoader(indexed(7), batchSize: 2, shuffle: true, seed: 1) {
            #expect(x.shape == [y.shape[0], 2])
            #expect(x.scalars == y.scalars.flatMap { [$0, 10 * $0] })
        }
    }

    @Test func shufflesDifferBetweenEpochsAndReplayBySeedAndEpoch() {
        let loader = DataLoader(indexed(50), batchSize: 8, shuffle: true, seed: 42)
        let epoch0 = loader.order(epoch: 0), epoch1 = loader.order(epoch: 1)
        #expect(epoch0 != epoch1 && epoch0 != Array(0..<50))
        #expect(Set(epoch0) == Set(0..<50))
        let twin = DataLoader(indexed(50), batchSize: 8, shuffle: true, seed: 42)
        #expect(twin.order(epoch: 1) == epoch1 && twin.order(epoch: 7) == loader.order(epoch: 7))
        #expect(DataLoader(indexed(50), batchSize: 8, shuffle: true, seed: 43).order(epoch: 0) != epoch0)
        // Passes advance the epoch; setting it replays an epoch exactly (resuming a run).
        #expect(passIDs(loader).flatMap { $0 } == epoch0)
        #expect(loader.epoch == 1)
        #expect(passIDs(loader).flatMap { $0 } == epoch1)
        loader.epoch = 1
        #expect(passIDs(loader).flatMap { $0 } == epoch1)
        #expect(loader.epoch == 2)
    }

    @Test func withoutShuffleTheOrderIsFixed() {
        let loader = DataLoader(indexed(5), batchSize: 2)
        #expect(passIDs(loader) == [[0, 1], [2, 3], [4]])
        #expect(passIDs(loader) == [[0, 1], [2, 3], [4]])
    }

    @Test func dropLastSkipsTheShortBatch() {
        let loader = DataLoader(indexed(10), batchSize: 3, shuffle: true, dropLast: true, seed: 2)
        #expect(loader.batchesPerEpoch == 3)
        let ids = passIDs(loader.batches(epoch: 0))
        #expect(ids.map(\.count) == [3, 3, 3])
        #expect(Set(ids.flatMap { $0 }).count == 9)
        #expect(ids.flatMap { $0 } == Array(loader.order(epoch: 0).prefix(9)))
        #expect(DataLoader(indexed(9), batchSize: 3, dropLast: true).batchesPerEpoch == 3)
        #expect(DataLoader(indexed(2), batchSize: 3, dropLast: true).map { $0 }.isEmpty)
    }

    @Test func batchSizeOneIsStochasticGradientDescent() {
        let loader = DataLoader(indexed(6), batchSize: 1, shuffle: true, seed: 0)
        let ids = passIDs(loader)
        #expect(loader.batchesPerEpoch == 6 && ids.count == 6)
        #expect(ids.allSatisfy { $0.count == 1 })
        #expect(ids.flatMap { $0 }.sorted() == Array(0..<6))
    }

    @Test func batchSizeAllIsFullBatchGradientDescent() {
        let loader = DataLoader(indexed(6), batchSize: .all)
        #expect(loader.batchSize == 6 && loader.batchesPerEpoch == 1)
        let batches = Array(loader)
        #expect(batches.count == 1)
        #expect(batches[0].inputs.shape == [6, 2])
        #expect(batches[0].targets.scalars == [0, 1, 2, 3, 4, 5])
        let literal: BatchSize = 4
        #expect(literal == .fixed(4) && literal.resolved(count: 10) == 4 && BatchSize.all.resolved(count: 10) == 10)
    }

    @Test func transformAppliesToInputsOnly() {
        let loader = DataLoader(indexed(4), batchSize: 4, transform: { $0 * 2 })
        let (x, y) = Array(loader)[0]
        #expect(x.scalars == [0, 0, 2, 20, 4, 40, 6, 60])
        #expect(y.scalars == [0, 1, 2, 3])
    }

    @Test func augmentationIsReproduciblePerEpochAndBatch() {
        let images = Tensor.arange(0, 8 * 6).reshape([8, 1, 2, 3])
        let data = TensorDataset(inputs: images, targets: Tensor.arange(0, 8))
        func loader() -> DataLoader {
            DataLoader(data, batchSize: 4, shuffle: true, seed: 11, augmentation: RandomHorizontalFlip())
        }
        let a = loader(), b = loader()
        let first = a.batches(epoch: 3).map(\.inputs.scalars), replay = b.batches(epoch: 3).map(\.inputs.scalars)
        #expect(first == replay)
        // Each augmented image is its source image, flipped or not.
        for (x, y) in a.batches(epoch: 0) {
            for (k, id) in y.scalars.enumerated() {
                let source = Array(images.scalars[Int(id) * 6..<Int(id) * 6 + 6])
                let got = Array(x.scalars[k * 6..<k * 6 + 6])
                let flipped = [source[2], source[1], source[0], source[5], source[4], source[3]]
                #expect(got == source || got == flipped)
            }
        }
        let flips = (0..<4).flatMap { epoch in
            a.batches(epoch: epoch).flatMap { batch in (0..<4).map { batch.inputs[$0, 0, 0, 0] > batch.inputs[$0, 0, 0, 2] } }
        }
        #expect(flips.contains(true) && flips.contains(false))
    }
}
