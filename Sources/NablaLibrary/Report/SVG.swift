import NablaCore
import NablaBackend

/// An sRGB colour, written into SVG and HTML as `#rrggbb`.
///
/// ```swift
/// let blue = RGBColor(hex: 0x1f77b4)
/// blue.lightened(by: 0.7).hexString   // "#bcd6e9"
/// ```
public struct RGBColor: Hashable, Sendable {
    public var red: UInt8
    public var green: UInt8
    public var blue: UInt8

    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// A colour from a 24-bit literal such as `0x1f77b4`.
    public init(hex: UInt32) {
        self.init(red: UInt8((hex >> 16) & 0xff), green: UInt8((hex >> 8) & 0xff), blue: UInt8(hex & 0xff))
    }

    /// `#rrggbb`, lower case.
    public var hexString: String {
        "#" + [red, green, blue].map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined()
    }

    /// A blend of `self` (at `fraction` 0) and `other` (at `fraction` 1).
    public func mixed(with other: RGBColor, fraction: Double) -> RGBColor {
        let t = min(max(fraction.isFinite ? fraction : 0, 0), 1)
        func blend(_ a: UInt8, _ b: UInt8) -> UInt8 {
            UInt8((Double(a) * (1 - t) + Double(b) * t).rounded())
        }
        return RGBColor(red: blend(red, other.red), green: blend(green, other.green), blue: blend(blue, other.blue))
    }

    /// The colour moved `fraction` of the way towards white.
    public func lightened(by fraction: Double) -> RGBColor {
        mixed(with: .white, fraction: fraction)
    }

    /// Relative luminance in [0, 1], used to pick readable text over a fill.
    public var luminance: Double {
        (0.2126 * Double(red) + 0.7152 * Double(green) + 0.0722 * Double(blue)) / 255
    }

    public static let white = RGBColor(hex: 0xffffff)
    public static let black = RGBColor(hex: 0x000000)
}

/// The categorical colours shared by every plot, so that a series keeps its colour across figures.
///
/// ```swift
/// Palette.color(at: 0)    // the first series' blue
/// Palette.color(at: 12)   // wraps around after ten colours
/// ```
public enum Palette {
    /// Matplotlib's `tab10`, the colours most readers already associate with plots.
    public static let colors: [RGBColor] = [
        0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
        0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf,
    ].map { RGBColor(hex: $0) }

    /// The colour for series or class `index`, cycling through `colors`.
    public static func color(at index: Int) -> RGBColor {
        colors[((index % colors.count) + colors.count) % colors.count]
    }

    /// A dash pattern for series `index`: solid for the first cycle of colours, then dashed, so that
    /// more than ten series stay distinguishable.
    public static func dash(at index: Int) -> String? {
        let patterns: [String?] = [nil, "6 3", "2 2", "8 3 2 3"]
        return patterns[(max(index, 0) / colors.count) % patterns.count]
    }
}

/// The fixed look of every plot: fonts, greys and sizes.
public enum PlotTheme {
    public static let fontFamily = "system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', Helvetica, Arial, sans-serif"
    public static let text = RGBColor(hex: 0x222222)
    public static let mutedText = RGBColor(hex: 0x555555)
    public static let axis = RGBColor(hex: 0x444444)
    public static let grid = RGBColor(hex: 0xe6e6e6)
    public static let background = RGBColor.white
    public static let fontSize = 12.0
    public static let titleSize = 15.0
    /// Rough advance width of one character at `fontSize`, for layout without font metrics.
    public static let charWidth = 6.8
}

/// A minimal SVG writer: elements are appended in painting order and `render()` returns the document.
///
/// ```swift
/// var svg = SVGDocument(width: 200, height: 100)
/// svg.rect(x: 0, y: 0, width: 200, height: 100, fill: .white)
/// svg.text("loss < 1 & falling", x: 100, y: 50, anchor: .middle)
/// let xml = svg.render()   // the text is written as "loss &lt; 1 &amp; falling"
/// ```
public struct SVGDocument: Sendable {
    /// Horizontal alignment of text relative to its anchor point.
    public enum TextAnchor: String, Sendable {
        case start, middle, end
    }

    public let width: Double
    public let height: Double
    private var body: [String] = []

    /// An empty document of the given size in pixels.
    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// Appends `<name attributes/>`, or `<name attributes>text</name>` when `text` is given.
    /// Attributes whose value is `nil` are left out; values and text are escaped.
    public mutating func element(_ name: String, _ attributes: [(String, String?)], text: String? = nil) {
        var tag = "<" + name
        for case let (key, value?) in attributes {
            tag += " \(key)=\"\(XMLEscaping.escape(value))\""
        }
        if let text {
            tag += ">" + XMLEscaping.escape(text) + "</\(name)>"
        } else {
            tag += "/>"
        }
        body.append(tag)
    }

    /// Opens a `<g>` group; close it with `endGroup()`.
    public mutating func beginGroup(_ attributes: [(String, String?)] = []) {
        var tag = "<g"
        for case let (key, value?) in attributes {
            tag += " \(key)=\"\(XMLEscaping.escape(value))\""
        }
        body.append(tag + ">")
    }

    /// Closes the innermost group opened with `beginGroup`.
    public mutating func endGroup() {
        body.append("</g>")
    }

    /// A rectangle; `fill: nil` leaves it hollow, `opacity` applies to the fill only.
    public mutating func rect(
        x: Double, y: Double, width: Double, height: Double,
        fill: RGBColor?, stroke: RGBColor? = nil, strokeWidth: Double = 1, opacity: Double? = nil,
        className: String? = nil
    ) {
        element("rect", [
            ("class", className), ("x", svgNumber(x)), ("y", svgNumber(y)),
            ("width", svgNumber(max(width, 0))), ("height", svgNumber(max(height, 0))),
            ("fill", fill?.hexString ?? "none"), ("fill-opacity", opacity.map(svgNumber)),
            ("stroke", stroke?.hexString), ("stroke-width", stroke == nil ? nil : svgNumber(strokeWidth)),
        ])
    }

    /// A straight line; `dash` is an SVG `stroke-dasharray` such as `"5 4"`.
    public mutating func line(
        x1: Double, y1: Double, x2: Double, y2: Double,
        stroke: RGBColor, strokeWidth: Double = 1, dash: String? = nil, className: String? = nil
    ) {
        element("line", [
            ("class", className), ("x1", svgNumber(x1)), ("y1", svgNumber(y1)),
            ("x2", svgNumber(x2)), ("y2", svgNumber(y2)),
            ("stroke", stroke.hexString), ("stroke-width", svgNumber(strokeWidth)), ("stroke-dasharray", dash),
        ])
    }

    /// A polyline through each run of points; every inner array starts a new, unconnected segment.
    public mutating func path(
        segments: [[(x: Double, y: Double)]], stroke: RGBColor, strokeWidth: Double = 2,
        dash: String? = nil, className: String? = nil
    ) {
        var d: [String] = []
        for segment in segments where !segment.isEmpty {
            for (i, point) in segment.enumerated() {
                d.append((i == 0 ? "M" : "L") + svgNumber(point.x) + " " + svgNumber(point.y))
            }
        }
        element("path", [
            ("class", className), ("d", d.joined(separator: " ")), ("fill", "none"),
            ("stroke", stroke.hexString), ("stroke-width", svgNumber(strokeWidth)),
            ("stroke-linejoin", "round"), ("stroke-linecap", "round"), ("stroke-dasharray", dash),
        ])
    }

    /// A dot, optionally ringed with `stroke` so that overlapping dots stay distinct.
    public mutating func circle(
        cx: Double, cy: Double, r: Double, fill: RGBColor,
        stroke: RGBColor? = nil, strokeWidth: Double = 1, className: String? = nil
    ) {
        element("circle", [
            ("class", className), ("cx", svgNumber(cx)), ("cy", svgNumber(cy)), ("r", svgNumber(r)),
            ("fill", fill.hexString), ("stroke", stroke?.hexString),
            ("stroke-width", stroke == nil ? nil : svgNumber(strokeWidth)),
        ])
    }

    /// Text at (`x`, `y`), the baseline's anchor point; `rotation` is in degrees, clockwise, about that point.
    public mutating func text(
        _ string: String, x: Double, y: Double, size: Double = PlotTheme.fontSize,
        anchor: TextAnchor = .start, fill: RGBColor = PlotTheme.text, bold: Bool = false,
        rotation: Double = 0, className: String? = nil
    ) {
        let transform = rotation == 0
            ? nil : "rotate(\(svgNumber(rotation)) \(svgNumber(x)) \(svgNumber(y)))"
        element("text", [
            ("class", className), ("x", svgNumber(x)), ("y", svgNumber(y)),
            ("font-size", svgNumber(size)), ("text-anchor", anchor == .start ? nil : anchor.rawValue),
            ("font-weight", bold ? "bold" : nil), ("fill", fill.hexString), ("transform", transform),
        ], text: string)
    }

    /// A `<title>` child, which browsers show as a tooltip for the enclosing element or document.
    public mutating func tooltip(_ string: String) {
        element("title", [], text: string)
    }

    /// The complete `<svg>` document, with the namespace so it also stands alone as an `.svg` file.
    public func render() -> String {
        let open = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(svgNumber(width))\" "
            + "height=\"\(svgNumber(height))\" viewBox=\"0 0 \(svgNumber(width)) \(svgNumber(height))\" "
            + "font-family=\"\(XMLEscaping.escape(PlotTheme.fontFamily))\" font-size=\"\(svgNumber(PlotTheme.fontSize))\">"
        return ([open] + body + ["</svg>"]).joined(separator: "\n") + "\n"
    }
}

/// Escaping for XML and HTML text and attribute values.
///
/// ```swift
/// XMLEscaping.escape("a < b & \"c\"")   // "a &lt; b &amp; &quot;c&quot;"
/// ```
public enum XMLEscaping {
    /// Replaces the five XML special characters with entities and drops control characters,
    /// which XML 1.0 forbids even when escaped.
    public static func escape(_ string: String) -> String {
        var out = ""
        out.reserveCapacity(string.utf8.count)
        for scalar in string.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value >= 0x20 && scalar.value != 0xfffe && scalar.value != 0xffff {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}

/// A coordinate with at most two decimals and no trailing zeros: `12`, `12.5`, `-3.25`.
package func svgNumber(_ value: Double) -> String {
    guard value.isFinite else { return "0" }
    let hundredths = (value * 100).rounded()
    if hundredths == 0 { return "0" }
    let sign = hundredths < 0 ? "-" : ""
    let magnitude = Int64(abs(hundredths))
    let whole = magnitude / 100
    let fraction = magnitude % 100
    if fraction == 0 { return sign + String(whole) }
    let digits = fraction % 10 == 0 ? String(fraction / 10) : (fraction < 10 ? "0" : "") + String(fraction)
    return sign + String(whole) + "." + digits
}
