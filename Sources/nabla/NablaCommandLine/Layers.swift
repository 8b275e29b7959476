import ArgumentParser
import Nabla

/// `nabla layers`: the layers a model spec can use, with their parameters.
struct Layers: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the layers a model spec can use, with their parameters.")

    @Argument(help: "One layer to describe (default: all).") var name: String?

    func run() throws {
        try reportingErrors {
            guard let name else { return print(LayerKind.reference, terminator: "") }
            guard let kind = LayerKind.named(name) else {
                throw ValidationError("unknown layer \"\(name)\"; known layers: \(LayerKind.all.map(\.name).joined(separator: ", "))")
            }
            print(kind.help)
        }
    }
}
