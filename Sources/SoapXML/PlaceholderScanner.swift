internal import CLibXML2

/// A placeholder in an expected document that cannot be used, with the line it stands on.
public struct PlaceholderProblem: Sendable, Equatable {
    /// The line of the element that holds it.
    public var line: Int
    /// The placeholder as written.
    public var placeholder: String
    /// Why it cannot be used.
    public var reason: String
}

extension XMLDocument {
    /// Every unknown placeholder and uncompilable `${regex:…}` in text and attribute values, in document order.
    public func placeholderProblems() -> [PlaceholderProblem] {
        var problems: [PlaceholderProblem] = []
        func check(_ bytes: UnsafeBufferPointer<UInt8>, line: Int) {
            do {
                if case .regex(let pattern)? = try Placeholder.parse(bytes: bytes),
                    RegexCache.shared.regex(pattern) == nil
                {
                    problems.append(PlaceholderProblem(
                        line: line, placeholder: "${regex:\(pattern)}",
                        reason: "the pattern is not a valid regular expression"))
                }
            } catch {
                problems.append(PlaceholderProblem(line: line, placeholder: error.placeholder, reason: error.reason))
            }
        }
        func walk(_ node: Node) {
            var attribute = node.pointee.properties
            while let attr = attribute {
                attr.withValue { check($0, line: node.line) }
                attribute = attr.pointee.next
            }
            var child = node.pointee.children
            while let current = child {
                if current.isElement {
                    walk(current)
                } else if current.isText, let content = current.pointee.content {
                    check(UnsafeBufferPointer(start: content, count: cLength(content)), line: current.line)
                }
                child = current.pointee.next
            }
        }
        if let root { walk(root) }
        return problems
    }
}
