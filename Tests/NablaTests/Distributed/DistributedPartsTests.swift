import Foundation
import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
import Nabla

/// The parts of data parallelism that need no second process: shards, buckets, the thread budget
/// and launcher detection. `mpirun` runs the rest (NablaCommandLineTests/MPIProcessTests).
@Suite struct DistributedPartsTests {
    /// Sample i has inputs [i] and target i.
    static func indexed(_ count: Int) -> TensorDataset {
        TensorDataset(inputs: Tensor(shape: [count, 1], scalars: (0..<count).map(Float.init)), targets: Tensor((0..<count).map(Float.init)))
    }

    @Test func shardsSplitARangeIntoContiguousNearEqualSlices() {
        let slices = (0..<2).map { DataShard(rank: $0, count: 2).slice(of: 10..<15) }
        #expect(slices == [10..<12, 12..<15])
        let three = (0..<3).map { DataShard(rank: $0, count: 3).slice(of: 0..<2) }
        #expect(three == [0..<0, 0..<1, 1..<2])   // a batch shorter than the ranks leaves one empty
    }

    /// The shards of every global batch put together are the batch a single process sees, in order,
    /// for shuffled epochs and a short last batch alike.
    @Test func shardedLoadersTogetherYieldTheGlobalBatches() {
        let data = Self.indexed(23)
        let whole = DataLoader(data, batchSize: 7, shuffle: true, seed: 4)
        let expected = whole.batches(epoch: 3).map { $0.targets.scalars }
        let parts = (0..<3).map { rank -> [[Float]] in
            let loader = DataLoader(data, batchSize: 7, shuffle: true, seed: 4)
            loader.shard = DataShard(rank: rank, count: 3)
            #expect(loader.batchesPerEpoch == whole.batchesPerEpoch)
            return loader.batches(epoch: 3).map { $0.targets.scalars }
        }
        let joined = expected.indices.map { b in parts[0][b] + parts[1][b] + parts[2][b] }
        #expect(joined == expected)
        #expect(parts.map { $0.last!.count } == [0, 1, 1])   // the last global batch holds 2 samples
    }

    @Test func rankZeroAugmentsAsASingleProcessAndOtherRanksDrawTheirOwn() {
        let data = TensorDataset(inputs: Tensor.arange(0, 64).reshape([4, 1, 4, 4]), targets: Tensor([0, 1, 2, 3]))
        let plain = DataLoader(data, batchSize: 4, seed: 9, augmentation: RandomHorizontalFlip())
        let (rank0, rank1) = (DataLoader(data, batchSize: 4, seed: 9, augmentation: RandomHorizontalFlip()),
                              DataLoader(data, batchSize: 4, seed: 9, augmentation: RandomHorizontalFlip()))
        rank0.shard = DataShard(rank: 0, count: 2)
        rank1.shard = DataShard(rank: 1, count: 2)
        let first = { (loader: DataLoader, epoch: Int) in Array(loader.batches(epoch: epoch))[0].inputs.scalars }
        // Samples 0 and 1 go to rank 0, flipped by the single process's draws; 2 and 3 to rank 1.
        #expect(first(rank0, 0) == Array(first(plain, 0).prefix(32)))
        let same = (0..<20).map { first(rank1, $0) == Array(first(plain, $0).suffix(32)) }
        #expect(same.contains(false))   // the same samples, flipped by rank 1's own stream
    }

    @Test func bucketsPackConsecutiveParametersUpToTheCapacity() {
        #expect(DistributedDataParallel.plan([3, 4, 5, 1], capacity: 8) == [0..<2, 2..<4])
        #expect(DistributedDataParallel.plan([20, 2, 2], capacity: 8) == [0..<1, 1..<3])   // an oversized one alone
        #expect(DistributedDataParallel.plan([], capacity: 8) == [0..<0])
    }

    @Test func threadsAreTheCoresSharedAmongTheRanksOfAHost() {
        #expect(ThreadBudget.threads(cores: 16, environment: [:]) == 16)
        let launched = ["OMPI_COMM_WORLD_SIZE": "8", "OMPI_COMM_WORLD_LOCAL_SIZE": "4"]
        #expect(ThreadBudget.threads(cores: 16, environment: launched) == 4)
        #expect(ThreadBudget.threads(cores: 2, environment: ["PMI_SIZE": "4", "MPI_LOCALNRANKS": "4"]) == 1)
        #expect(ThreadBudget.threads(cores: 16, environment: launched.merging(["NABLA_THREADS": "3"]) { $1 }) == 3)
    }

    @Test func aProcessStartedAloneLoadsNoMPI() throws {
        #expect(Launcher(environment: ["PATH": "/bin"]) == nil)
        #expect(Launcher(environment: ["PMI_SIZE": "2"])?.variable == "PMI_SIZE=2")
        #expect(try ProcessGroup.fromLauncher(environment: [:]) == nil)
        #expect(ProcessGroup.current == nil)
    }

    @Test func aMissingLibraryIsNamedWithTheLauncher() {
        let environment = ["OMPI_COMM_WORLD_SIZE": "2", "NABLA_MPI_LIBRARY": "/nonexistent/libmpi.so.40"]
        #expect {
            _ = try ProcessGroup.fromLauncher(environment: environment)
        } throws: { error in
            "\(error)".hasPrefix("started by a parallel launcher (OMPI_COMM_WORLD_SIZE=2) but no MPI library could be loaded (tried /nonexistent/libmpi.so.40)")
        }
    }
}
