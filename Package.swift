// swift-tools-version:6.0
import PackageDescription

// Layers, each target importing only the ones above it in this list:
//   NablaKernelsC the C fast paths, compiled per CPU variant (AVX2, AVX-512) by target attributes, no flags
//   NablaBackend  kernels on raw buffers: the Backend interface, the CPU and reference backends, BLAS, threads
//   NablaCore     Tensor, the primitive ops, autograd
//   NablaLibrary  layers, losses, optimizers, data, file formats, training, model specs, reports
//   NablaRuns     run folders, the fit-and-save run the command line drives, benchmark workloads
//   Nabla         the umbrella a program imports
//   NablaCommandLine  the command line's subcommands and its wording of library errors (flags for settings)
//   nabla         the executable: NablaCommand.main()
//   NablaFuzzTargets, nabla-fuzz, NablaFuzzShim  the libFuzzer targets (Fuzz/README.md): built plainly they
//                 replay a corpus; built with -sanitize=fuzzer,address they fuzz
let package = Package(
    name: "Nabla",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Nabla", targets: ["Nabla"]),
        .executable(name: "nabla", targets: ["nabla"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        .target(name: "NablaKernelsC", path: "Sources/NablaKernelsC"),
        .target(name: "NablaBackend", dependencies: ["NablaKernelsC"], path: "Sources/NablaBackend"),
        .target(name: "NablaCore", dependencies: ["NablaBackend"], path: "Sources/NablaCore"),
        .target(
            name: "NablaLibrary",
            dependencies: ["NablaCore", .product(name: "Yams", package: "Yams")],
            path: "Sources/NablaLibrary"
        ),
        .target(name: "NablaRuns", dependencies: ["NablaLibrary"], path: "Sources/NablaRuns"),
        .target(name: "Nabla", dependencies: ["NablaBackend", "NablaCore", "NablaLibrary", "NablaRuns"], path: "Sources/Nabla"),
        .target(
            name: "NablaCommandLine",
            dependencies: ["Nabla", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/nabla/NablaCommandLine"
        ),
        .executableTarget(name: "nabla", dependencies: ["NablaCommandLine"], path: "Sources/nabla/Main"),
        .target(name: "NablaFuzzShim", path: "Sources/NablaFuzzShim"),
        .target(name: "NablaFuzzTargets", dependencies: ["Nabla"], path: "Sources/NablaFuzzTargets"),
        .executableTarget(name: "nabla-fuzz", dependencies: ["NablaFuzzTargets", "NablaFuzzShim"], path: "Sources/NablaFuzz"),
        .executableTarget(name: "example-readme", dependencies: ["Nabla"], path: "Examples/Readme"),
        .executableTarget(name: "example-linear-regression", dependencies: ["Nabla"], path: "Examples/LinearRegression"),
        .executableTarget(name: "example-xor", dependencies: ["Nabla"], path: "Examples/XOR"),
        .executableTarget(name: "example-softmax-regression", dependencies: ["Nabla"], path: "Examples/SoftmaxRegression"),
        .executableTarget(name: "example-fashion-cnn", dependencies: ["Nabla"], path: "Examples/FashionCNN"),
        .executableTarget(name: "example-distributed", dependencies: ["Nabla"], path: "Examples/Distributed", exclude: ["two-hosts.sh"]),
        .testTarget(
            name: "NablaTests",
            dependencies: ["Nabla", "NablaBackend", "NablaCore", "NablaLibrary", "NablaRuns", "NablaFuzzTargets"],
            path: "Tests/NablaTests"
        ),
        .testTarget(name: "NablaCommandLineTests", dependencies: ["NablaCommandLine", "Nabla"], path: "Tests/NablaCommandLineTests"),
    ]
)
