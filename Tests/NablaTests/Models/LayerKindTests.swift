import Foundation
import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// The registry of spec layer kinds: everything derived from it agrees with it.
@Suite struct LayerKindTests {
    /// A layer of `kind` with every parameter set away from its default.
    static func changed(_ kind: LayerKind) -> LayerSpec {
        var arguments: [String: LayerArgument?] = [:]
        for (i, parameter) in kind.parameters.enumerated() {
            arguments[parameter.name] = switch parameter.type {
            case .int: .int(i + 2)
            case .float: .float(0.25)
            case .bool: .bool(parameter.defaultValue != .bool(true))
            case .padding: .padding(.same)
            case .size: .size(height: 2, width: 3)
            case .layers: .layers([.relu, .linear(out: 3)])
            }
        }
        return LayerSpec(kind, arguments)
    }

    /// A layer of `kind` with only its required parameters set.
    static func plain(_ kind: LayerKind) -> LayerSpec {
        var arguments: [String: LayerArgument?] = [:]
        for parameter in kind.parameters where parameter.requirement != .optional && parameter.defaultValue == nil {
            arguments[parameter.name] = changed(kind).arguments[parameter.name]
        }
        return LayerSpec(kind, arguments)
    }

    @Test(arguments: LayerKind.all)
    func everyKindRoundTripsThroughText(_ kind: LayerKind) throws {
        for layer in [Self.changed(kind), Self.plain(kind)] {
            for format in ModelSpec.Format.allCases {
                let spec = ModelSpec(inputShape: [3], layers: [layer])
                let text = spec.text(format: format)
                let parsed = try ModelSpec.parse(text, format: format)
                #expect(parsed == spec, "\(text)")
                #expect(parsed.text(format: format) == text)
            }
        }
        // Set parameters are written (a lone one as `name: value`), defaults are not; names read back
        // ignoring case, '-' and '_'.
        let written = Self.changed(kind).description, plain = Self.plain(kind).description
        func writes(_ text: String, _ key: String) -> Bool { text.contains("{\(key): ") || text.contains(" \(key): ") }
        for parameter in kind.parameters {
            #expect(writes(written, kind.parameters.count == 1 ? kind.name : parameter.name), "\(written)")
            if parameter.defaultValue != nil { #expect(!writes(plain, parameter.name), "\(plain)") }
        }
        let shouted = kind.name.uppercased().replacingOccurrences(of: "-", with: "_")
        #expect(LayerKind.named(shouted) == kind)
    }

    @Test func namesAreUniqueAndHelpCoversEveryParameter() {
        let names = LayerKind.all.map { LayerKind.normalized($0.name) }
        #expect(Set(names).count == names.count)
        let reference = LayerKind.reference
        for kind in LayerKind.all {
            #expect(reference.contains(kind.help))
            #expect(!kind.summary.isEmpty && kind.parameters.allSatisfy { !$0.help.isEmpty })
            let lines = kind.help.split(separator: "\n")
            #expect(lines.first?.hasPrefix("\(kind.name) (\(kind.displayName)): ") == true)
            #expect(lines.dropFirst().map { $0.split(separator: " ").first.map(String.init) } == kind.parameters.map(\.name))
        }
        #expect(LayerKind.dropout.help == """
            dropout (Dropout): zeroes each value with probability p while training, scaling the rest by 1/(1 − p)
              p  number = 0.5  the probability of zeroing a value
            """)
    }

    @Test func presetAndCommandLineActivationsAreTheRegistrysActivations() throws {
        let registered = LayerKind.all.filter { $0.role == .activation }
        #expect(Activation.allCases.map(\.kind) == registered)
        #expect(Activation.choices == registered.dropLast().map(\.name).joined(separator: ", ") + " or " + registered.last!.name)
        for activation in Activation.allCases {
            var config = RunConfiguration()
            config.activation = activation.rawValue.uppercased()
            #expect(try config.resolvedActivation() == activation)
            #expect(Activation(rawValue: activation.rawValue) == activation)
            // The preset's layer and the spec's layer are one class with the same defaults and values.
            let preset = try ModelPreset.mlp.build(inputShape: [2], outputs: 2, options: PresetOptions(hidden: [5], activation: activation))
            let spec = try ModelSpec(inputShape: [5], layers: [.activation(activation)]).build()
            let fromPreset = try #require((preset as? Sequential)?.layers[2]), fromSpec = spec.layers[0]
            #expect(type(of: fromPreset) == type(of: fromSpec) && fromPreset.typeName == fromSpec.typeName)
            #expect("\(type(of: fromSpec))" == activation.kind.displayName)
            let x = Tensor(shape: [2, 5], scalars: [-3, -1, -0.5, 0, 0.25, 0.5, 1, 2, -0.1, 4])
            let y = spec(x)
            #expect(y.shape == [2, 5] && y.scalars == fromPreset(x).scalars && y.scalars != x.scalars)
        }
        var config = RunConfiguration()
        config.activation = "swish"
        #expect(throws: ConfigurationError("\(setting: .activation) swish: unknown; use one of \(Activation.choices)")) { try config.resolvedActivation() }
        #expect([Activation.relu, .tanh, .sigmoid, .leakyRelu, .elu, .gelu, .silu].map(\.rawValue)
                == ["relu", "tanh", "sigmoid", "leaky-relu", "elu", "gelu", "silu"])
    }

    /// README.md's table of spec layers is `LayerKind.markdownTable`; run with NABLA_UPDATE_README=1 to rewrite it.
    @Test func readmeListsEveryLayerKind() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../README.md").standardized
        let readme = try String(contentsOf: url, encoding: .utf8)
        let (start, end) = ("<!-- spec layers: generated from LayerKind.markdownTable -->\n", "<!-- end of spec layers -->")
        let from = try #require(readme.range(of: start), "README.md lacks the line \(start)")
        let to = try #require(readme.range(of: end, range: from.upperBound..<readme.endIndex))
        let table = LayerKind.markdownTable
        if ProcessInfo.processInfo.environment["NABLA_UPDATE_README"] == "1" {
            try (readme[..<from.upperBound] + table + readme[to.lowerBound...]).write(to: url, atomically: true, encoding: .utf8)
        } else {
            #expect(String(readme[from.upperBound..<to.lowerBound]) == table,
                    "README.md's spec layer table is out of date; run NABLA_UPDATE_README=1 swift test --filter readmeListsEveryLayerKind")
        }
        for kind in LayerKind.all { #expect(table.contains("| `\(kind.name)` |")) }
        for row in table.split(separator: "\n") {
            #expect(row.replacingOccurrences(of: "\\|", with: "").filter { $0 == "|" }.count == 4, "a | in a cell splits the row: \(row)")
        }
    }
}
