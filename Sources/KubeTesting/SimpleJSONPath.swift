import KubeModel

/// The subset of JSONPath that CRD printer columns use: `.a.b`, `.a[0].b`, `.a[*].b`, escaped
/// dots (`.metadata.labels.app\.kubernetes\.io/name`) and optional `{...}` braces.
/// Filters (`[?(...)]`), slices and recursive descent are not supported (no result).
struct SimpleJSONPath: Sendable, Hashable {
    enum Step: Sendable, Hashable {
        case key(String)
        case index(Int)
        case all
    }

    var steps: [Step]
    /// False when the expression used syntax outside the supported subset.
    var supported: Bool

    init(_ expression: String) {
        var text = Substring(expression.trimmingCharactersSpaces())
        if text.hasPrefix("{") && text.hasSuffix("}") { text = text.dropFirst().dropLast() }
        var steps: [Step] = []
        var supported = true
        var index = text.startIndex
        while index < text.endIndex && supported {
            let character = text[index]
            if character == "." {
                index = text.index(after: index)
                var key = ""
                while index < text.endIndex, text[index] != ".", text[index] != "[" {
                    if text[index] == "\\", text.index(after: index) < text.endIndex {
                        index = text.index(after: index)
                    }
                    key.append(text[index])
                    index = text.index(after: index)
                }
                if !key.isEmpty { steps.append(.key(key)) }
            } else if character == "[" {
                guard let close = text[index...].firstIndex(of: "]") else { supported = false; break }
                let inside = text[text.index(after: index)..<close]
                if inside == "*" {
                    steps.append(.all)
                } else if let number = Int(inside) {
                    steps.append(.index(number))
                } else if inside.hasPrefix("'") && inside.hasSuffix("'") && inside.count >= 2 {
                    steps.append(.key(String(inside.dropFirst().dropLast())))
                } else {
                    supported = false
                }
                index = text.index(after: close)
            } else {
                supported = false
            }
        }
        self.steps = steps
        self.supported = supported
    }

    /// Every value the path reaches, in document order.
    func evaluate(_ root: JSONValue) -> [JSONValue] {
        guard supported else { return [] }
        var current = [root]
        for step in steps {
            current = current.flatMap { value -> [JSONValue] in
                switch step {
                case .key(let key): return value[key].map { [$0] } ?? []
                case .index(let i):
                    guard let items = value.arrayValue else { return [] }
                    let position = i < 0 ? items.count + i : i
                    return items.indices.contains(position) ? [items[position]] : []
                case .all:
                    if let items = value.arrayValue { return items }
                    if let members = value.objectValue { return members.keys.sorted().compactMap { members[$0] } }
                    return []
                }
            }
        }
        return current
    }
}

extension String {
    func trimmingCharactersSpaces() -> String {
        var text = Substring(self)
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}
