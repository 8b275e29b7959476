import NablaLibrary

extension RunConfiguration {
    /// The gpt preset's sizes and the text window, defaults filled in.
    public var resolvedTransformer: (layers: Int, heads: Int, embed: Int, blockSize: Int) {
        (layers ?? Hyperparameters.layers.defaultValue, heads ?? Hyperparameters.heads.defaultValue,
         embed ?? Hyperparameters.embed.defaultValue, blockSize ?? Hyperparameters.blockSize.defaultValue)
    }

    /// Checks the transformer sizes against their rules, and that the heads divide the width of a gpt model.
    func validateTransformer() throws {
        let sizes = resolvedTransformer
        try Hyperparameters.layers.validate(sizes.layers)
        try Hyperparameters.heads.validate(sizes.heads)
        try Hyperparameters.embed.validate(sizes.embed)
        try Hyperparameters.blockSize.validate(sizes.blockSize)
        if model.lowercased() == ModelPreset.gpt.rawValue, sizes.embed % sizes.heads != 0 {
            throw ConfigurationError("""
                \(setting: .heads) \(sizes.heads) does not divide \(setting: .embed) \(sizes.embed); each head takes an equal share \
                of the embedding, so choose heads that divide it (e.g. \(Self.divisors(of: sizes.embed).suffix(3).map(String.init).joined(separator: ", ")))
                """)
        }
    }

    private static func divisors(of n: Int) -> [Int] { (1...Swift.min(n, 64)).filter { n % $0 == 0 } }
}
