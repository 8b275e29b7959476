// Data-parallel training with the library API, in the spirit of PyTorch's DDP: the same program runs
// alone or as N ranks, and prints the same figures either way.
//
//     swift run example-distributed
//     mpirun -np 2 .build/debug/example-distributed
import Foundation
import Nabla

let group = try ProcessGroup.fromLauncher()   // nil when started without a launcher: no MPI is loaded
let (rank, size) = (group?.rank ?? 0, group?.size ?? 1)

Random.seed(1)   // every rank builds the same model; DistributedDataParallel copies rank 0's anyway
let model = Sequential {
    Linear(2, 32)
    Tanh()
    Linear(32, 2)
}
let parallel = try group.map { try DistributedDataParallel(model, group: $0) }
let optimizer = Adam(model.parameters, learningRate: 0.01)

// The global batch is 50 samples; each rank takes its shard of every batch.
let loader = DataLoader(Synthetic.twoSpirals(count: 300, noise: 0.1, seed: 2), batchSize: 50, shuffle: true, seed: 3)
loader.shard = group.map { DataShard(rank: $0.rank, count: $0.size) }

for _ in 0..<30 {
    for (x, y) in loader {
        optimizer.zeroGrad()
        if x.shape[0] > 0 { crossEntropy(model(x), y).backward() }
        if let parallel { try parallel.step(optimizer, samples: x.shape[0]) } else { optimizer.step() }
    }
}

// Every rank scores its own share of the data; the sums over the ranks give the whole set's figures.
let share = loader.dataset.batch(DataShard(rank: rank, count: size).slice(of: 0..<loader.dataset.count))
let logits = withNoGrad { model(share.inputs) }
var counts = Tensor([Float(Metrics.correctCount(logits: logits, targets: share.targets)), Float(share.targets.count)])
if let group { counts = try group.allReduce(counts) }
let squares = model.parameters.reduce(0.0) { sum, p in p.value.scalars.reduce(sum) { $0 + Double($1) * Double($1) } }
if rank == 0 {
    print("ranks \(size): accuracy \(counts.scalars[0] / counts.scalars[1]), sum of squared weights \(String(format: "%.6f", squares))")
}
group?.finish()
