import Foundation
import NablaLibrary

extension RunConfiguration {
    /// The settings whose values differ between this configuration and `other`, by library name.
    ///
    /// ```swift
    /// var a = RunConfiguration(), b = a
    /// b.epochs = 9
    /// a.differences(from: b)   // ["epochs"]
    /// ```
    public func differences(from other: RunConfiguration) -> [String] {
        let (mine, theirs) = (Self.fields(self), Self.fields(other))
        return Set(mine.keys).union(theirs.keys).filter { mine[$0] != theirs[$0] }.sorted()
    }

    /// This configuration with the settings that `requested` changes from `baseline` taken from
    /// `requested`: a saved configuration, adjusted by what a user asked for explicitly.
    ///
    /// ```swift
    /// let config = try saved.applying(changesIn: fromCommandLine, from: commandLineDefaults)
    /// ```
    public func applying(changesIn requested: RunConfiguration, from baseline: RunConfiguration) throws -> RunConfiguration {
        var merged = Self.fields(self)
        let wanted = Self.fields(requested)
        for key in requested.differences(from: baseline) { merged[key] = wanted[key] }
        let data = try JSONSerialization.data(withJSONObject: merged.compactMapValues { try? JSONSerialization.jsonObject(with: $0, options: .fragmentsAllowed) })
        return try JSONDecoder().decode(RunConfiguration.self, from: data)
    }

    /// The settings a resumed run may change: how long it runs, and its learning rate.
    public static let resumableSettings: Set<String> = [Setting.epochs.rawValue, Setting.maxSteps.rawValue, Setting.learningRate.rawValue]

    /// The configuration a resumed run continues with: `saved`, the run's own, with only the
    /// changes `requested` makes to `baseline` in `resumableSettings` applied. A different value
    /// of any other setting is an error, since the run would silently train on something else.
    public static func resuming(_ saved: RunConfiguration, requested: RunConfiguration,
                                baseline: RunConfiguration) throws -> RunConfiguration {
        for key in requested.differences(from: baseline) where !resumableSettings.contains(key) {
            guard requested.differences(from: saved).contains(key), let setting = Setting(rawValue: key) else { continue }
            throw ConfigurationError("\(setting: setting) \(Self.value(key, in: requested)) differs from the run's own (\(Self.value(key, in: saved))); a resumed run keeps its configuration, so leave it out or start a new run in another \(setting: .outputDirectory)")
        }
        return try saved.applying(changesIn: requested, from: baseline)
    }

    /// Reads a configuration saved as JSON (a run folder's `config.json`).
    ///
    /// ```swift
    /// let config = try RunConfiguration.load(contentsOf: URL(fileURLWithPath: "runs/mlp/config.json"))
    /// ```
    public static func load(contentsOf url: URL) throws -> RunConfiguration {
        let data = try AtomicFile.read(url)
        do {
            return try JSONDecoder().decode(RunConfiguration.self, from: data)
        } catch {
            throw ConfigurationError("\(url.path): not a run configuration (\(error.localizedDescription)); use a config.json that nabla train wrote")
        }
    }

    /// Each setting's JSON value, by name.
    private static func fields(_ config: RunConfiguration) -> [String: Data] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        guard let data = try? encoder.encode(config),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        return object.compactMapValues { try? JSONSerialization.data(withJSONObject: $0, options: [.fragmentsAllowed, .sortedKeys]) }
    }

    private static func value(_ key: String, in config: RunConfiguration) -> String {
        fields(config)[key].map { String(decoding: $0, as: UTF8.self) } ?? "unset"
    }
}
