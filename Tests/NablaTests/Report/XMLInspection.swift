import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A parsed XML document, flattened to its elements in document order, for checking plot output.
struct XMLInspection {
    struct Element {
        var name: String
        var attributes: [String: String]
        var text: String
    }

    var elements: [Element]

    /// Parses `xml`; nil when it is not well-formed.
    init?(_ xml: String) {
        let collector = Collector()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = collector
        guard parser.parse() else { return nil }
        elements = collector.elements
    }

    func all(_ name: String, class className: String? = nil) -> [Element] {
        elements.filter { element in
            element.name == name && (className == nil || element.attributes["class"] == className)
        }
    }

    func count(_ name: String, class className: String? = nil) -> Int {
        all(name, class: className).count
    }

    /// The text of every `<text>` element, in order.
    var texts: [String] {
        all("text").map(\.text)
    }

    private final class Collector: NSObject, XMLParserDelegate {
        var elements: [Element] = []
        private var open: [Int] = []

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            open.append(elements.count)
            elements.append(Element(name: elementName, attributes: attributeDict, text: ""))
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?) {
            open.removeLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            // Like the DOM's textContent: text counts towards every enclosing element.
            for index in open { elements[index].text += string }
        }
    }
}

/// The number of "M" (move-to) commands in a path's `d`, that is, its separate segments.
func segmentCount(_ d: String?) -> Int {
    (d ?? "").filter { $0 == "M" }.count
}
