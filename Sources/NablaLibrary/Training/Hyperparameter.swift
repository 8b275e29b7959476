/// A number a setting can hold, or `nil` for a setting that is off until given.
public protocol SettingValue: Sendable {
    /// The number that bounds apply to.
    associatedtype Number: Comparable & Numeric & Sendable & CustomStringConvertible
    /// The number to check, or `nil` when the setting is off.
    var number: Number? { get }
}

extension Double: SettingValue { public var number: Double? { self } }
extension Float: SettingValue { public var number: Float? { self } }
extension Int: SettingValue { public var number: Int? { self } }
extension UInt64: SettingValue { public var number: UInt64? { self } }
extension Optional: SettingValue where Wrapped: SettingValue {
    public var number: Wrapped.Number? { self?.number }
}

/// The values a numeric setting accepts: an optional lower and an optional upper bound, each
/// inclusive or exclusive.
public struct Bounds<Number: Comparable & Numeric & Sendable & CustomStringConvertible>: Sendable {
    /// The lowest value, or `nil` for none; whether it is itself accepted.
    public let lower: Number?, lowerInclusive: Bool
    /// The highest value, or `nil` for none; whether it is itself accepted.
    public let upper: Number?, upperInclusive: Bool

    /// Every value.
    public static var any: Bounds { Bounds(lower: nil, lowerInclusive: true, upper: nil, upperInclusive: true) }
    /// Above zero.
    public static var positive: Bounds { Bounds(lower: 0, lowerInclusive: false, upper: nil, upperInclusive: true) }
    /// Zero or above.
    public static var nonNegative: Bounds { atLeast(0) }
    /// `minimum` or above.
    public static func atLeast(_ minimum: Number) -> Bounds {
        Bounds(lower: minimum, lowerInclusive: true, upper: nil, upperInclusive: true)
    }
    /// Above `minimum`.
    public static func above(_ minimum: Number) -> Bounds {
        Bounds(lower: minimum, lowerInclusive: false, upper: nil, upperInclusive: true)
    }
    /// The closed interval [`minimum`, `maximum`].
    public static func between(_ minimum: Number, _ maximum: Number) -> Bounds {
        Bounds(lower: minimum, lowerInclusive: true, upper: maximum, upperInclusive: true)
    }
    /// The half-open interval [0, 1), as for a probability that may not be 1.
    public static var unitHalfOpen: Bounds { Bounds(lower: 0, lowerInclusive: true, upper: 1, upperInclusive: false) }
    /// The open interval (0, 1), as for a decay factor.
    public static var unitOpen: Bounds { Bounds(lower: 0, lowerInclusive: false, upper: 1, upperInclusive: false) }
    /// The closed interval [0, 1].
    public static var unitClosed: Bounds { Bounds(lower: 0, lowerInclusive: true, upper: 1, upperInclusive: true) }

    /// Whether `value` lies within the bounds (NaN never does, unless there are none).
    public func contains(_ value: Number) -> Bool {
        if let lower, lowerInclusive ? value < lower : value <= lower { return false }
        if let upper, upperInclusive ? value > upper : value >= upper { return false }
        return lower == nil && upper == nil || value == value
    }

    /// What is accepted, as the end of a sentence: "must be positive", "must be in [0, 1)".
    public var requirement: String {
        switch (lower, upper) {
        case (nil, nil): return "may be any number"
        case (let lower?, nil) where lower == 0: return lowerInclusive ? "must be zero or positive" : "must be positive"
        case (let lower?, nil): return lowerInclusive ? "must be at least \(Self.show(lower))" : "must be above \(Self.show(lower))"
        case (nil, let upper?): return upperInclusive ? "must be at most \(Self.show(upper))" : "must be below \(Self.show(upper))"
        case (let lower?, let upper?):
            return "must be in \(lowerInclusive ? "[" : "(")\(Self.show(lower)), \(Self.show(upper))\(upperInclusive ? "]" : ")")"
        }
    }

    /// `1` rather than `1.0`.
    static func show(_ number: Number) -> String {
        let text = number.description
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }
}

/// One hyper-parameter of training: its one default, its one rule and what it means, in one place.
///
/// `RunConfiguration`, the optimizers' and the schedulers' initializers and the command line's
/// options all read their defaults here, and check values with `validate` or `require`.
///
/// ```swift
/// let adam = Adam(model.parameters)                  // learningRate: Hyperparameters.learningRate.defaultValue
/// try Hyperparameters.epochs.validate(0)             // ConfigurationError "epochs 0: must be at least 1"
/// Hyperparameters.learningRate.defaultValue(for: .rmsprop)   // 0.01, PyTorch's default for RMSprop
/// ```
public struct Hyperparameter<Value: SettingValue>: Sendable {
    /// The setting this row describes.
    public let setting: Setting
    /// The default, or `nil` for a setting that is off until given.
    public let defaultValue: Value
    /// The values accepted.
    public let bounds: Bounds<Value.Number>
    /// What the setting means, in the library's words.
    public let summary: SettingText
    /// Optimizers whose default differs from `defaultValue` (PyTorch's defaults for each).
    public let optimizerDefaults: [OptimizerKind: Value]

    /// A row of `Hyperparameters`.
    public init(_ setting: Setting, default defaultValue: Value, _ bounds: Bounds<Value.Number>, _ summary: SettingText,
                optimizerDefaults: [OptimizerKind: Value] = [:]) {
        self.setting = setting
        self.defaultValue = defaultValue
        self.bounds = bounds
        self.summary = summary
        self.optimizerDefaults = optimizerDefaults
    }

    /// The default for `kind`.
    public func defaultValue(for kind: OptimizerKind) -> Value { optimizerDefaults[kind] ?? defaultValue }

    /// Throws a `ConfigurationError` naming the setting unless `value` is off or within the bounds.
    public func validate<V: SettingValue>(_ value: V) throws where V.Number == Value.Number {
        guard let number = value.number, !bounds.contains(number) else { return }
        throw ConfigurationError("\(setting: setting) \(number): \(bounds.requirement)")
    }

    /// Stops the program unless `value` is within the bounds: for values a program passes in, where
    /// a bad one is a programming error. `owner` names the type or function that checks.
    public func require(_ value: Value.Number, in owner: String,
                        file: StaticString = #fileID, line: UInt = #line) {
        precondition(bounds.contains(value), "\(owner): \(setting.rawValue) \(value) \(bounds.requirement)", file: file, line: line)
    }
}
