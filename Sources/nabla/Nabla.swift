import ArgumentParser
import Nabla

@main
struct NablaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nabla",
        abstract: "Nabla (∇): build and train neural networks in Swift.",
        subcommands: [Info.self, Bench.self],
        defaultSubcommand: Info.self
    )
}
