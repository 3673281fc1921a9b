import Testing
@testable import AthenaCLI

/// The RFC 4180 reader behind `athena batch --input FILE.csv`.
@Suite("CSV parser")
struct CSVParserTests {
    @Test("records and fields", arguments: [
        ("a,b,c\n1,2,3\n", [["a", "b", "c"], ["1", "2", "3"]]),
        ("a,b\r\n1,2\r\n", [["a", "b"], ["1", "2"]]),
        ("a,b\n1,2", [["a", "b"], ["1", "2"]]),                                  // no final newline
        ("\"x,y\",z\n", [["x,y", "z"]]),                                          // a quoted comma
        ("\"say \"\"hi\"\"\",2\n", [["say \"hi\"", "2"]]),                        // "" is one quote
        ("\"two\nlines\",b\n", [["two\nlines", "b"]]),                            // a quoted line break
        ("a,,c\n,\n", [["a", "", "c"], ["", ""]]),                                // empty fields
        ("\"\",b\n", [["", "b"]]),                                                // an empty quoted field
        ("a\n\n\nb\n", [["a"], ["b"]]),                                           // blank lines are no records
        ("ab\"c,d\n", [["ab\"c", "d"]]),                                          // a quote inside a bare field is text
        ("\u{FEFF}h1,h2\n1,2\n", [["h1", "h2"], ["1", "2"]]),                     // a byte order mark
        ("", [[String]]()),
    ])
    func parses(text: String, expected: [[String]]) throws {
        #expect(try CSVParser.parse(text).map(\.fields) == expected)
    }

    @Test("records know the line they start on, across quoted line breaks")
    func lines() throws {
        let records = try CSVParser.parse("h\n\"a\nb\"\n\nc\n")
        #expect(records.map(\.line) == [1, 2, 5])
    }

    @Test("a quote left open, or text after a closing quote, is an error naming the line")
    func errors() {
        let open = #expect(throws: CLIError.self) { try CSVParser.parse("a\n\"open,b\n") }
        #expect(open?.message == "line 2: a quoted field is not closed before the end of the file")
        #expect(open?.exitCode == 2)
        let after = #expect(throws: CLIError.self) { try CSVParser.parse("\"a\"b,c\n") }
        #expect(after?.message == "line 1: text after a closing quote (a quote inside a quoted field is written \"\")")
    }
}
