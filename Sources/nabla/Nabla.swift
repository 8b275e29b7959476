import ArgumentParser
import Nabla

@main
struct NablaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nabla",
        abstract: "Nabla (∇): build and train neural networks in Swift.",
        subcommands: [Demo.self, Train.self, Eval.self, Predict.self, Layers.self, Info.self, Bench.self],
        defaultSubcommand: Demo.self
    )
}
