/// Nabla (∇): tensors, reverse-mode automatic differentiation and neural networks in Swift.
public enum Nabla {
    /// The library version.
    public static let version = "0.1.0"
}
