@_exported import NablaBackend
@_exported import NablaCore
@_exported import NablaLibrary
@_exported import NablaRuns

/// Nabla (∇): tensors, reverse-mode automatic differentiation and neural networks in Swift.
///
/// `import Nabla` brings in every layer of the package: `NablaBackend` (kernels and BLAS),
/// `NablaCore` (tensors, ops and autograd), `NablaLibrary` (layers, losses, optimizers, data,
/// training) and `NablaRuns` (run folders and benchmark workloads).
public enum Nabla {
    /// The library version.
    public static let version = "0.2.0"
}
