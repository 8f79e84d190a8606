/// The canonical comparison of two XML documents, the engine every soaptape command calls.
///
/// Two documents are equal when their canonical trees are: names by namespace URI and local name,
/// QName values resolved, whitespace between elements dropped and text trimmed, attribute order,
/// comments, processing instructions and CDATA markup ignored; the options widen or narrow that.
/// The walk runs over libxml2's trees in place and allocates only when it reports a difference.
///
/// ```swift
/// let comparator = XMLComparator(options: options)
/// let result = comparator.compare(expected, actual)
/// for difference in result.differences { print(difference.path) }
/// ```
public struct XMLComparator: Sendable {
    /// The rules of the comparison.
    public let options: ComparisonOptions
    /// The QName-valued attributes as C strings, made once rather than per comparison.
    let qnameAttributes: [(local: CString, namespace: CString)]

    /// Creates a comparator with `options`.
    public init(options: ComparisonOptions = ComparisonOptions()) {
        self.options = options
        qnameAttributes = options.qnameAttributes.map { (CString($0.localName), CString($0.namespace)) }
    }

    /// Every difference between `expected` and `actual`, in document order.
    public func compare(_ expected: XMLDocument, _ actual: XMLDocument) -> ComparisonResult {
        var run = ComparisonRun(options: options, qnameAttributes: qnameAttributes, expected: expected, actual: actual,
                                stopAfter: nil)
        run.compareDocuments()
        return ComparisonResult(differences: run.differences)
    }

    /// True when the documents are equal; stops at the first difference (the mock server's question).
    public func isEqual(_ expected: XMLDocument, _ actual: XMLDocument) -> Bool {
        var run = ComparisonRun(options: options, qnameAttributes: qnameAttributes, expected: expected, actual: actual,
                                stopAfter: 1)
        run.compareDocuments()
        return run.differenceCount == 0
    }

    /// How many differences there are, counting no further than `limit` (for choosing a nearest match).
    public func differenceCount(_ expected: XMLDocument, _ actual: XMLDocument, limit: Int = .max) -> Int {
        var run = ComparisonRun(options: options, qnameAttributes: qnameAttributes, expected: expected, actual: actual,
                                stopAfter: limit)
        run.compareDocuments()
        return run.differenceCount
    }
}
