/// An RFC 4180 CSV reader for `athena batch --input FILE.csv`: comma-separated fields, a field in
/// double quotes may hold commas, line breaks and `""` (one quote). CRLF and LF both end a record.
///
/// Written here rather than split on commas because a ModelArts CSV may quote any text column,
/// and a quoted comma must not shift the columns after it (that would feed a wrong value to every
/// field mapped past it, silently).
enum CSVParser {
    /// One record and the 1-based line of the file it starts on (for error messages: a quoted
    /// field may span lines, so record numbers and line numbers differ).
    struct Record: Sendable, Hashable {
        var fields: [String]
        var line: Int
    }

    /// The records of `text`, blank lines skipped (a trailing newline is not an empty record).
    /// Throws on a quote left open or text after a closing quote (`"a"b`), naming the line.
    static func parse(_ text: String) throws -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field = ""
        var line = 1, recordLine = 1
        var quoted = false        // inside a quoted field
        var afterQuote = false    // a quoted field just closed: only , or a line end may follow
        var fieldStarted = false  // the current record has some content (a blank line has none)
        var chars = Array(text.unicodeScalars)
        if chars.first == "\u{FEFF}" { chars.removeFirst() }  // a byte order mark from spreadsheet exports
        var i = 0
        func endRecord() {
            fields.append(field)
            if fieldStarted || fields.count > 1 { records.append(Record(fields: fields, line: recordLine)) }
            fields = []
            field = ""
            fieldStarted = false
            afterQuote = false
        }
        while i < chars.count {
            let c = chars[i]
            if quoted {
                if c == "\"" {
                    if i + 1 < chars.count, chars[i + 1] == "\"" {
                        field.unicodeScalars.append("\"")
                        i += 1
                    } else {
                        quoted = false
                        afterQuote = true
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                i += 1
                continue
            }
            switch c {
            case ",":
                fields.append(field)
                field = ""
                afterQuote = false
                fieldStarted = true
            case "\r" where i + 1 < chars.count && chars[i + 1] == "\n":
                break  // the \n that follows ends the record
            case "\n", "\r":
                endRecord()
                line += 1
                recordLine = line
            case "\"" where field.isEmpty && !afterQuote:
                quoted = true
                fieldStarted = true
            default:
                if afterQuote {
                    throw CLIError("line \(line): text after a closing quote (a quote inside a quoted field is written \"\")", exitCode: 2)
                }
                field.unicodeScalars.append(c)
                fieldStarted = true
            }
            i += 1
        }
        if quoted { throw CLIError("line \(recordLine): a quoted field is not closed before the end of the file", exitCode: 2) }
        if fieldStarted || !fields.isEmpty || !field.isEmpty { endRecord() }
        return records
    }
}
