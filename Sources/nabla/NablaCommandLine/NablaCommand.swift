import ArgumentParser
import Nabla

/// The `nabla` command: its subcommands, each in its own file.
///
/// ```swift
/// NablaCommand.main()   // the whole of the `nabla` executable
/// ```
public struct NablaCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "nabla",
        abstract: "Nabla (∇): build and train neural networks in Swift.",
        subcommands: [Demo.self, Train.self, Eval.self, Predict.self, Generate.self, Layers.self, Info.self, Bench.self],
        defaultSubcommand: Demo.self
    )

    public init() {}
}
