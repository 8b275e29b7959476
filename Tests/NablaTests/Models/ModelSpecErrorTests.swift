import Foundation
import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// The error of `body`, which must throw a `ModelSpecError`.
func specError(_ body: () throws -> Void) -> ModelSpecError? {
    do {
        try body()
        return nil
    } catch let error as ModelSpecError {
        return error
    } catch {
        return nil
    }
}

func yamlError(_ text: String, outputs: Int? = nil) -> String {
    specError { _ = try ModelSpec.parse(text, format: .yaml, name: "model.yaml").build(outputs: outputs) }?.description ?? "no error"
}

func jsonError(_ text: String, outputs: Int? = nil) -> String {
    specError { _ = try ModelSpec.parse(text, format: .json, name: "model.json").build(outputs: outputs) }?.description ?? "no error"
}

@Suite struct ModelSpecErrorTests {
    @Test func explicitInputMismatchIsReportedBeforeTraining() {
        let text = """
            input: [1, 28, 28]
            layers:
              - flatten
              - dropout: 0.1
              - relu
              - linear: {in: 512, out: 10}
            """
        #expect(yamlError(text) == "model.yaml:6: layer 3 (Linear 512→10) gets 784 features; set `in: 784` or leave `in` out to infer it")
        let conv = """
            {"input": [1, 28, 28],
             "layers": [{"conv2d": {"in": 3, "out": 8, "kernel": 3}}]}
            """
        #expect(jsonError(conv) == "model.json:2: layer 0 (Conv2d 3→8) gets 1 channel; set `in: 1` or leave `in` out to infer it")
    }

    @Test func unknownLayerListsTheKnownOnes() {
        let text = """
            input: [1, 28, 28]
            layers:
              - flatten
              - linear: 64
              - conv3d: {out: 8}
            """
        let known = LayerKind.all.map(\.name).joined(separator: ", ")
        #expect(yamlError(text) == "model.yaml:5: layer 2: unknown layer \"conv3d\" (did you mean conv2d?); known layers: \(known)")
        #expect(jsonError(#"{"input": [2], "layers": ["attention"]}"#) == "model.json:1: layer 0: unknown layer \"attention\"; known layers: \(known)")
    }

    @Test func malformedYAMLGivesThePosition() {
        let error = specError { _ = try ModelSpec.parse("input: [1, 28\nlayers:\n  - relu\n", format: .yaml, name: "bad.yaml") }
        #expect(error?.file == "bad.yaml")
        #expect(error?.line == 2)
        #expect(error?.description.hasPrefix("bad.yaml:2: invalid YAML at column") == true)
        let tabs = yamlError("input: [2]\nlayers:\n\t- relu\n")
        #expect(tabs.hasPrefix("model.yaml:3: invalid YAML at column 1: found character that cannot start any token"))
        #expect(yamlError("input: [2]\nlayers: [relu\n") .hasPrefix("model.yaml:3: invalid YAML at column 1:"))
        #expect(yamlError("") == "model.yaml: the file is empty; a model spec needs `input` and `layers`")
    }

    @Test func malformedJSONGivesThePosition() {
        #expect(jsonError("{\"input\": [2],\n \"layers\": [\"relu\",]}")
                == "model.json:2: invalid JSON at column 20: trailing comma before ']'")
        #expect(jsonError("{\"input\": [2]\n \"layers\": []}") == "model.json:2: invalid JSON at column 2: expected ',' or '}' after an object value, got '\"'")
        #expect(jsonError("{\"input\": [2], \"layers\": [\"relu]}") == "model.json:1: invalid JSON at column 27: unterminated string")
        #expect(jsonError("{\"input\": [2], \"layers\": [01]}") == "model.json:1: invalid JSON at column 29: a number cannot start with 0")
        #expect(jsonError("{input: [2]}") == "model.json:1: invalid JSON at column 2: expected a quoted key, got 'i'")
        #expect(jsonError("{\"input\": [2]} x") == "model.json:1: invalid JSON at column 16: unexpected 'x' after the JSON value")
        #expect(jsonError("  \n") == "model.json: the file is empty; a model spec needs \"input\" and \"layers\"")
        #expect(jsonError("{\"input\": [2], \"input\": [3]}") == "model.json:1: the key \"input\" appears twice")
    }

    @Test func documentShapeProblems() {
        #expect(yamlError("layers: [relu]") == "model.yaml:1: missing `input`, the shape of one sample without the batch, e.g. `input: [1, 28, 28]`")
        #expect(yamlError("input: [2]") == "model.yaml:1: missing `layers`, the list of layers")
        #expect(yamlError("input: [2]\nlayers: []") == "model.yaml:2: `layers` must be a list of at least one layer, got a list")
        #expect(yamlError("input: 784\nlayers: [relu]").hasPrefix("model.yaml:1: `input` must list one sample's sizes"))
        #expect(yamlError("input: [1, -28]\nlayers: [relu]").hasPrefix("model.yaml:1: `input` sizes must be positive whole numbers"))
        #expect(yamlError("input: [2]\nlayer: [relu]") == "model.yaml:2: unknown key \"layer\"; a model spec has `input` and `layers`")
        #expect(yamlError("- relu") == "model.yaml:1: expected a mapping with `input` and `layers`, got a list")
        #expect(jsonError("[1, 2]") == "model.json:1: expected a mapping with `input` and `layers`, got a list")
    }

    @Test func layerParameterProblems() {
        func layer(_ text: String) -> String { yamlError("input: [1, 8, 8]\nlayers:\n  - \(text)") }
        #expect(layer("linear: {out: 10, outs: 3}") == "model.yaml:3: layer 0: linear has no parameter \"outs\"; its parameters are out, in, bias")
        #expect(layer("relu: {inplace: true}") == "model.yaml:3: layer 0: relu has no parameter \"inplace\"; it takes none")
        #expect(layer("relu: 3") == "model.yaml:3: layer 0: relu takes no parameters, got the number 3")
        #expect(layer("linear: ten") == "model.yaml:3: layer 0: `out` must be a whole number, got the text \"ten\"")
        #expect(layer("dropout: yes please") == "model.yaml:3: layer 0: `p` must be a number, got the text \"yes please\"")
        #expect(layer("linear: {out: 2, bias: 1}") == "model.yaml:3: layer 0: `bias` must be true or false, got the number 1")
        #expect(layer("conv2d: 16") == "model.yaml:3: layer 0: conv2d needs `kernel`, e.g. `conv2d: {out: 16, kernel: 3}`")
        #expect(layer("conv2d: {out: 4, kernel: 3, padding: full}")
                == "model.yaml:3: layer 0: `padding` must be a whole number or \"same\", got the text \"full\"")
        #expect(layer("{linear: 3, relu: null}") == "model.yaml:3: layer 0: a layer is one `name: parameters` entry, got the keys linear, relu; write e.g. `linear: {out: 10, bias: false}`")
        #expect(layer("[relu]") == "model.yaml:3: layer 0: expected a layer name or `name: parameters`, got a list")
        #expect(layer("linear: 1e30") == "model.yaml:3: layer 0: `out` must be a whole number, got the number 1e+30")
    }

    @Test func shapeProblemsNameTheLayer() {
        func build(_ layers: String, outputs: Int? = nil) -> String {
            yamlError("input: [1, 28, 28]\nlayers:\n" + layers, outputs: outputs)
        }
        #expect(build("  - flatten\n  - conv2d: {out: 8, kernel: 3}\n")
                == "model.yaml:4: layer 1 (Conv2d ?→8) gets input [N, 784]; Conv2d needs [N, C, H, W]; give `input` as [C, H, W] and put convolutions before any flatten or linear layer")
        #expect(build("  - maxpool2d: 64\n")
                == "model.yaml:3: layer 0 (MaxPool2d) gets input [N, 1, 28, 28]; its window spans 64×64, more than the 28×28 input")
        #expect(build("  - conv2d: {out: 2, kernel: 5, stride: 4}\n  - conv2d: {out: 2, kernel: 9, stride: 4, padding: 1}\n")
                == "model.yaml:4: layer 1 (Conv2d 2→2) gets input [N, 2, 6, 6]; its window spans 9×9, more than the 6×6 input with padding 1")
        #expect(build("  - flatten\n  - linear: 1000\n  - layernorm: {shape: 3}\n") == "model.yaml:5: layer 2: layernorm has no parameter \"shape\"; it takes none")
        #expect(build("  - conv2d: {out: 2, kernel: 3}\n  - conv2d: {out: 2, kernel: 27}\n")
                == "model.yaml:4: layer 1 (Conv2d 2→2) gets input [N, 2, 26, 26]; its window spans 27×27, more than the 26×26 input")
        #expect(build("  - batchnorm1d\n")
                == "model.yaml:3: layer 0 (BatchNorm1d) gets input [N, 1, 28, 28]; it needs [N, C] or [N, C, L]; use batchnorm2d after convolutions")
        #expect(build("  - lstm: 16\n")
                == "model.yaml:3: layer 0 (LSTM ?→16) gets input [N, 1, 28, 28]; LSTM needs a batch-first sequence [N, T, F]; add `flatten: {start: 1, end: 2}` before it to read image rows as time steps")
        #expect(build("  - conv2d: {out: 8, kernel: 3, stride: 2, padding: same}\n")
                == "model.yaml:3: layer 0 (Conv2d 1→8) has padding \"same\", which needs stride 1 and an odd kernel, as in PyTorch; give the padding as a number")
        #expect(build("  - conv2d: {out: 8, kernel: 0}\n") == "model.yaml:3: layer 0 (Conv2d 1→8) has kernel = 0; it must be in 1...1024")
        #expect(build("  - flatten: {start: 0}\n")
                == "model.yaml:3: layer 0 (Flatten) has start = 0, which would flatten the batch dimension and mix samples; start at 1 or later")
        #expect(build("  - flatten: {start: 2, end: 1}\n") == "model.yaml:3: layer 0 (Flatten) gets input [N, 1, 28, 28]: cannot flatten input [1, 1, 28, 28]")
        #expect(build("  - flatten\n  - dropout: 1.5\n") == "model.yaml:4: layer 1 (Dropout) has p = 1.5; a dropout probability must be in [0, 1)")
        #expect(build("  - flatten\n  - softmax: {axis: 2}\n") == "model.yaml:4: layer 1 (Softmax) has axis = 2; it must be an axis of the input [N, 784]")
        #expect(build("  - maxpool2d: {kernel: 2, padding: 2}\n") == "model.yaml:3: layer 0 (MaxPool2d) has padding = 2; it must be at most half the kernel, as in PyTorch")
        #expect(build("  - flatten\n  - linear: 10\n", outputs: 5)
                == "model.yaml:4: the model gives [N, 10] but the data needs [N, 5]; set the last layer's `out` to 5, or leave `out` out to use the data's size")
        #expect(build("  - conv2d: {out: 4, kernel: 3}\n", outputs: 4)
                == "model.yaml:3: the model gives [N, 4, 26, 26] but the data needs [N, 4]; add `flatten` (or `globalavgpool2d`) before the last linear layer")
        #expect(build("  - flatten\n  - linear: 100000000\n").hasSuffix("has out = 100000000; it must be in 1...1048576"))
        #expect(build("  - flatten\n  - linear: 1000000\n")
                == "model.yaml:4: layer 1 (Linear 784→1000000) brings the model past 268435456 parameters; use smaller layers")
    }

    @Test func residualProblemsPointInsideTheBlock() {
        let text = """
            input: [8, 6, 6]
            layers:
              - relu
              - residual:
                  layers:
                    - conv2d: {out: 16, kernel: 3, stride: 2, padding: 1}
                    - linear: {in: 4, out: 3}
            """
        #expect(yamlError(text) == "model.yaml:7: layer 1.body.1 (Linear 4→3) gets 3 features; set `in: 3` or leave `in` out to infer it")
        let unprojected = "input: [8, 6, 6]\nlayers:\n  - residual: [{conv2d: {out: 16, kernel: 3, stride: 2, padding: 1}}]\n"
        #expect(yamlError(unprojected) == "model.yaml:3: layer 0 (Residual) body gives [N, 16, 3, 3] but the shortcut gives [N, 8, 6, 6]; "
                + "add or fix `projection`, e.g. `projection: [{conv2d: {out: 16, kernel: 1, stride: 2}}, batchnorm2d]`")
        #expect(yamlError("input: [4]\nlayers:\n  - residual\n") == "model.yaml:3: layer 0: residual needs `layers`, e.g. `residual: {layers: [{linear: 64}, relu]}`")
    }

    @Test func hostileDocumentsThrowInsteadOfCrashing() {
        let deepYAML = "input: [2]\nlayers: " + String(repeating: "[", count: 100_000)
        #expect(yamlError(deepYAML) == "model.yaml:2: nesting is deeper than 64 levels")
        let deepJSON = "{\"input\": [2], \"layers\": " + String(repeating: "[", count: 100_000)
        #expect(jsonError(deepJSON) == "model.json:1: invalid JSON at column 89: nesting is deeper than 64 levels")
        let compact = "input: [2]\nlayers:\n" + String(repeating: "- ", count: 5_000) + "relu\n"
        #expect(yamlError(compact) == "model.yaml:3: nesting is deeper than 64 levels")
        var bomb = "a0: &a0 [relu, relu, relu, relu, relu, relu, relu, relu, relu, relu]\n"
        for i in 1...8 { bomb += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n" }
        #expect(yamlError(bomb + "input: [2]\nlayers: *a8\n").hasSuffix("the document holds more than 100000 values"))
        #expect(yamlError("input: [100000, 100000, 100000]\nlayers: [relu]") == "model.yaml: `input` [100000, 100000, 100000] must list positive sizes, e.g. [1, 28, 28]")
        #expect(yamlError("input: [2]\nlayers: [linear]", outputs: -1) == "model.yaml: the number of outputs must be in 1...1048576, got -1")
        #expect(jsonError("{\"input\": [2], \"layers\": [{\"linear\": 1e400}]}") == "model.json:1: invalid JSON at column 38: number 1e400 is out of range")
        #expect(jsonError("\u{FEFF}{}").hasPrefix("model.json:1: invalid JSON at column 1: expected a value, got byte 0xef"))
    }

    static let fuzzCount = Int(ProcessInfo.processInfo.environment["NABLA_SPEC_FUZZ"] ?? "") ?? 300

    /// Random edits of valid specs either parse and build or throw a `ModelSpecError` naming the file.
    @Test(arguments: ModelSpec.Format.allCases)
    func mutatedSpecsNeverCrash(_ format: ModelSpec.Format) {
        let base = ModelSpec(inputShape: [2, 8, 8], layers: ModelSpecTests.everyKind).text(format: format)
        let alphabet = Array("[]{}:,-\" \n\t0123456789abcdefxyz.#&*!|>'?".utf8)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        var (built, failed) = (0, 0)
        for _ in 0..<Self.fuzzCount {
            var bytes = Array(base.utf8)
            for _ in 0..<(1 + next(3)) {
                let at = next(bytes.count)
                switch next(3) {
                case 0: bytes.remove(at: at)
                case 1: bytes.insert(alphabet[next(alphabet.count)], at: at)
                default: bytes[at] = alphabet[next(alphabet.count)]
                }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            if let error = specError({ _ = try ModelSpec.parse(text, format: format, name: "fuzz").build(outputs: 3) }) {
                #expect(error.description.hasPrefix("fuzz"))
                failed += 1
            } else {
                built += 1
            }
        }
        #expect(built + failed == Self.fuzzCount)
        #expect(failed > 0 && built > 0)
    }
}
