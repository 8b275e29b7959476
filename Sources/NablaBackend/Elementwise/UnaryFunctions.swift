/// Every elementwise function of one tensor, for the golden and differential tests, the docs'
/// op table and messages. A new function is added here once.
public enum UnaryFunctions {
    public static let all: [any UnaryFunction.Type] = [
        Elementwise.Negate.self, Elementwise.Scale.self, Elementwise.Shift.self, Elementwise.Power.self,
        Elementwise.Absolute.self, Elementwise.Clamp.self, Elementwise.Exp.self, Elementwise.Log.self,
        Elementwise.SquareRoot.self, Elementwise.Sine.self, Elementwise.Cosine.self,
        Elementwise.Tanh.self, Elementwise.Sigmoid.self, Elementwise.ReLU.self, Elementwise.LeakyReLU.self,
        Elementwise.ELU.self, Elementwise.SELU.self, Elementwise.GELU.self, Elementwise.SiLU.self,
        Elementwise.Softplus.self, Elementwise.Mish.self, Elementwise.Hardswish.self,
    ]

    /// The function PyTorch calls `name`, built from `arguments`; nil for an unknown name or a
    /// missing argument.
    ///
    /// ```swift
    /// let f = UnaryFunctions.make("leaky_relu", arguments: ["negative_slope": 0.2])
    /// ```
    public static func make(_ name: String, arguments: [String: Float] = [:]) -> (any UnaryFunction)? {
        guard let type = all.first(where: { $0.name == name }) else { return nil }
        return type.init(arguments: arguments)
    }
}
