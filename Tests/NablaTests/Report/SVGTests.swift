import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

@Suite("Report: SVG builder")
struct SVGTests {
    @Test func escapesSpecialCharactersAndDropsControlCharacters() {
        #expect(XMLEscaping.escape("a < b & \"c\" > 'd'") == "a &lt; b &amp; &quot;c&quot; &gt; &#39;d&#39;")
        #expect(XMLEscaping.escape("bell\u{07}tab\tline\n") == "belltab\tline\n")
        #expect(XMLEscaping.escape("x₁ µ") == "x₁ µ")
    }

    @Test func writesCompactCoordinates() {
        #expect(svgNumber(12) == "12")
        #expect(svgNumber(12.5) == "12.5")
        #expect(svgNumber(-3.256) == "-3.26")
        #expect(svgNumber(0.05) == "0.05")
        #expect(svgNumber(-0.001) == "0")
        #expect(svgNumber(.nan) == "0")
    }

    @Test func documentIsWellFormedAndEscapesTextAndAttributes() throws {
        var svg = SVGDocument(width: 200, height: 100)
        svg.rect(x: 0, y: 0, width: 200, height: 100, fill: .white, className: "background")
        svg.text("loss < 1 & \"falling\"", x: 10, y: 20, className: "a&b")
        svg.path(segments: [[(x: 0, y: 0), (x: 10, y: 10)], [(x: 20, y: 20), (x: 30, y: 5)]], stroke: .black)
        let xml = svg.render()
        #expect(xml.contains("loss &lt; 1 &amp; &quot;falling&quot;"))
        let doc = try #require(XMLInspection(xml))
        #expect(doc.elements.first?.name == "svg")
        #expect(doc.elements.first?.attributes["viewBox"] == "0 0 200 100")
        #expect(doc.texts == ["loss < 1 & \"falling\""])
        #expect(doc.all("text").first?.attributes["class"] == "a&b")
        #expect(doc.all("path").first?.attributes["d"] == "M0 0 L10 10 M20 20 L30 5")
    }

    @Test func colorsConvertAndBlend() {
        let blue = RGBColor(hex: 0x1f77b4)
        #expect(blue.hexString == "#1f77b4")
        #expect(blue.mixed(with: .white, fraction: 0).hexString == "#1f77b4")
        #expect(blue.mixed(with: .white, fraction: 1) == .white)
        #expect(RGBColor.black.mixed(with: .white, fraction: 0.5).hexString == "#808080")
        #expect(abs(RGBColor.white.luminance - 1) < 1e-12 && RGBColor.black.luminance == 0)
    }

    @Test func paletteCyclesColoursThenDashes() {
        #expect(Palette.colors.count == 10)
        #expect(Palette.color(at: 12) == Palette.color(at: 2))
        #expect(Palette.dash(at: 3) == nil)
        #expect(Palette.dash(at: 13) != nil)
    }
}
