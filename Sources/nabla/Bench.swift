import ArgumentParser
import Foundation
import Nabla

/// `nabla bench`: the reference workloads, timed.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the reference performance workloads.")

    @Option(help: "Run only this workload.") var workload: String?
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        var results: [(String, Double)] = []
        if workload == nil || workload == "tiny_chain_us_per_op" {
            results.append(("tiny_chain_us_per_op", CoreWorkloads.tinyChainMicrosecondsPerOp()))
        }
        if workload == nil || workload == "sgemm1024_gflops" {
            results.append(("sgemm1024_gflops", CoreWorkloads.sgemmGflops()))
        }
        for (k, v) in results { print("\(k): \(v)") }
    }
}
