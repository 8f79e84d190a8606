import SoapXML

/// Compares two snippets with options set up by `configure`.
func differences(
    _ expected: String, _ actual: String, _ configure: (inout ComparisonOptions) throws -> Void = { _ in }
) throws -> [Difference] {
    var options = ComparisonOptions()
    try configure(&options)
    return XMLComparator(options: options).compare(
        try XMLDocument(string: expected, name: "expected.xml"), try XMLDocument(string: actual, name: "actual.xml")
    ).differences
}

let xsi = "http://www.w3.org/2001/XMLSchema-instance"
let xsd = "http://www.w3.org/2001/XMLSchema"
let fav88 = "http://www.superoffice.net/ws/crm/NetServer/Services88"
