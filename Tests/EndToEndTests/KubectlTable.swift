/// `kubectl get` table output split into rows keyed by column header (columns are separated by
/// runs of spaces; empty cells show as "<none>" or are absent at the end of a row).
struct KubectlTable {
    let header: [String]
    let rows: [[String: String]]

    init(_ text: String) {
        let lines = text.split(separator: "\n").map(String.init)
        let header = lines.first.map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) } ?? []
        self.header = header
        rows = lines.dropFirst().map { line in
            let cells = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            var row: [String: String] = [:]
            for (index, column) in header.enumerated() where index < cells.count { row[column] = cells[index] }
            return row
        }
    }

    /// The row whose NAME column is `name`.
    func row(named name: String) -> [String: String]? {
        rows.first { $0["NAME"] == name }
    }
}
