extension FuzzTarget {
    /// Every target, in the order `Fuzz/run.sh` runs them.
    public static let all: [FuzzTarget] = [
        .gzip, .inflate, .idx, .npy, .csv, .pgm, .safetensors, .specJSON, .specYAML, .configJSON, .modelJSON, .trainerJSON,
    ]

    /// The target called `name`, if there is one.
    public static func named(_ name: String) -> FuzzTarget? {
        all.first { $0.name == name }
    }
}
