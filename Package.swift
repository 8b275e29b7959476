// swift-tools-version:6.0
import PackageDescription

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
        .target(
            name: "Nabla",
            dependencies: [.product(name: "Yams", package: "Yams")],
            path: "Sources/Nabla"
        ),
        .executableTarget(
            name: "nabla",
            dependencies: ["Nabla", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/nabla"
        ),
        .executableTarget(name: "example-linear-regression", dependencies: ["Nabla"], path: "Examples/LinearRegression"),
        .executableTarget(name: "example-xor", dependencies: ["Nabla"], path: "Examples/XOR"),
        .executableTarget(name: "example-softmax-regression", dependencies: ["Nabla"], path: "Examples/SoftmaxRegression"),
        .executableTarget(name: "example-fashion-cnn", dependencies: ["Nabla"], path: "Examples/FashionCNN"),
        .testTarget(
            name: "NablaTests",
            dependencies: ["Nabla"],
            path: "Tests/NablaTests"
        ),
    ]
)
