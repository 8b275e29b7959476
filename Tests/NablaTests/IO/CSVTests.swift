import Foundation
import Testing
import Nabla

@Suite("IO: CSV")
struct IOCSVTests {
    private func parse(_ text: String, name: String = "data.csv") throws -> CSVTable {
        try CSV.read(data: Data(text.utf8), name: name)
    }

    @Test func detectsHeaderAndHandlesQuotesCRLFAndTrailingBlankLines() throws {
        let table = try parse("\u{FEFF}\"sepal, length\",width,\"class \"\"id\"\"\"\r\n1.5, 2,0\r\n\"-3e2\",4.25,1\r\n\r\n\n")
        #expect(table.header == ["sepal, length", "width", "class \"id\""])
        #expect(table.rows == 2)
        #expect(table.columns == 3)
        #expect(table.values == [1.5, 2, 0, -300, 4.25, 1])
    }

    @Test func readsHeaderlessFilesAndNonFiniteValuesWhenAllowed() throws {
        #expect(throws: FormatError.self) { try parse("1,2\n3,nan\n-inf,4") }
        let table = try CSV.read(data: Data("1,2\n3,nan\n-inf,4".utf8), name: "data.csv", allowNonFinite: true)
        #expect(table.header == nil)
        #expect(table.rows == 3)
        #expect(table.values[0...2] == [1, 2, 3])
        #expect(table.values[3].isNaN)
        #expect(table.values[4] == -.infinity)
        let forced = try CSV.read(data: Data("0,1\n2,3\n".utf8), name: "x.csv", hasHeader: true)
        #expect(forced.header == ["0", "1"])
        #expect(forced.values == [2, 3])
    }

    @Test func splitsFeaturesAndLabels() throws {
        let table = try parse("a,b,c\n1,2,0\n3,4,1\n")
        let (x, y) = CSV.features(table)
        #expect(x.shape == [2, 2] && x.scalars == [1, 2, 3, 4])
        #expect(y.shape == [2] && y.scalars == [0, 1])
        let (x0, y0) = CSV.features(table, labelColumn: 0)
        #expect(x0.scalars == [2, 0, 4, 1] && y0.scalars == [1, 3])
        let (all, none) = CSV.features(table, labelColumn: nil)
        #expect(all.shape == [2, 3] && none.shape == [0])
    }

    @Test func roundTripsThroughAFile() throws {
        let directory = try IOTempDirectory()
        let url = directory.file("t.csv")
        try Data("x,y\n0.5,1\n".utf8).write(to: url)
        let table = try CSV.read(contentsOf: url)
        #expect(table == CSVTable(header: ["x", "y"], rows: 1, columns: 2, values: [0.5, 1]))
    }

    @Test func namesTheLineColumnAndCellThatIsNotANumber() {
        let text = "a,b,c\n" + (2...6).map { "\($0),1,2\n" }.joined() + "7,8,abc\n"
        #expect(formatErrorText { _ = try parse(text) } == "data.csv: line 7, column 3: \"abc\" is not a number")
        #expect(formatErrorText { _ = try parse("a,b\n1,\n") }
            == "data.csv: line 2, column 2: empty cell; fill in or drop rows with missing values")
        #expect(formatErrorText { _ = try parse("a,b\n1,0x10\n") } == "data.csv: line 2, column 2: \"0x10\" is not a number")
        // A quoted cell spanning lines is reported on the line where it starts.
        #expect(formatErrorText { _ = try parse("a,b\n1,\"x\ny\"\n") } == "data.csv: line 2, column 2: \"x\\ny\" is not a number")
    }

    @Test func rejectsRaggedRowsAndBrokenQuotes() {
        #expect(formatErrorText { _ = try parse("a,b,c\n1,2,3\n4,5\n") }
            == "data.csv: line 3: 2 fields, expected 3 as on line 1; every row needs the same number of columns")
        #expect(formatErrorText { _ = try parse("1,2\n\n3,4\n") } == "data.csv: line 2: blank line inside the data; remove it")
        #expect(formatErrorText { _ = try parse("a,b\n1,\"2\n") }
            == "data.csv: line 2: quoted field never closes; a \" is missing at the end of the field that starts at byte 6")
        #expect(formatErrorText { _ = try parse("a,b\n1,\"2\"x\n") }
            == "data.csv: line 2: unexpected text after a closing quote; write a quote inside a quoted field as \"\"")
        #expect(formatErrorText { _ = try parse("\n\n") } == "data.csv: file holds no rows; is the file empty?")
    }

    @Test func fuzzedFilesParseOrThrowFormatError() {
        let text = "f1,f2,\"label\"\r\n" + (0..<12).map { "\($0).5,-\($0)e-1,\($0 % 3)\r\n" }.joined()
        fuzzParser(Array(text.utf8), seed: 31) { _ = try CSV.read(data: $0, name: "fuzz.csv") }
    }

    @Test func absurdlyWideRowsFailFast() {
        let row = String(repeating: "0,", count: CSV.maxColumns) + "0\n"
        let start = Date()
        #expect(throws: FormatError.self) { try parse(row) }
        #expect(Date().timeIntervalSince(start) < 10)
    }
}
