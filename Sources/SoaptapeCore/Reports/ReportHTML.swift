import SoapXML

/// The HTML every soaptape page shares — the HTML report and the inspector page render a case the same way: its
/// differences by path with what was expected, what was found and what to do, and the expected and actual
/// canonical envelopes side by side with the differing lines marked. Every text goes through
/// `XMLEscaping.markup`.
public enum ReportHTML {
    /// The style sheet of both pages.
    public static let style = """
        body { font: 14px/1.45 system-ui, sans-serif; margin: 2em; color: #1d1d1f; }
        h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 2em; } h3 { font-size: 1em; }
        .summary { padding: .6em 1em; border-radius: 6px; display: inline-block; }
        .summary.passed { background: #e3f6e5; } .summary.failed { background: #fde4e1; }
        table { border-collapse: collapse; margin: .5em 0; }
        th, td { text-align: left; padding: .25em .8em; border-bottom: 1px solid #ddd; vertical-align: top; }
        td.verdict { font-weight: 600; }
        tr.failed td.verdict, tr.error td.verdict, tr.unmatched td.verdict { color: #b3261e; }
        tr.passed td.verdict, tr.served td.verdict { color: #1e7d32; }
        tr.unused td.verdict, tr.unidentified td.verdict { color: #8a6d00; }
        .path { font-family: ui-monospace, monospace; }
        .difference { margin: .4em 0 .8em; } .hint { color: #555; }
        .sides { display: grid; grid-template-columns: 1fr 1fr; gap: 0; font: 12px/1.4 ui-monospace, monospace; }
        .sides div { white-space: pre-wrap; word-break: break-all; padding: 0 .5em; border-left: 1px solid #ddd; }
        .sides .head { font-weight: 600; background: #f2f2f2; }
        .sides .changed.old { background: #fde4e1; } .sides .changed.new { background: #e3f6e5; }
        .sides .blank { background: #f7f7f7; }
        pre.envelope { font: 12px/1.4 ui-monospace, monospace; background: #f7f7f7; padding: .5em; white-space: pre-wrap;
            word-break: break-all; }
        """

    /// A numbered list of differences: kind, path, expected, actual and the hint of each.
    public static func differences(_ differences: [Difference]) -> String {
        var html = "<ol class=\"differences\">\n"
        for difference in differences {
            html += "<li class=\"difference\" data-path=\"\(XMLEscaping.markup(difference.path))\">"
                + "<b>\(XMLEscaping.markup(difference.kind.phrase))</b> at "
                + "<span class=\"path\">\(XMLEscaping.markup(difference.path))</span><br>"
                + "expected: <code>\(XMLEscaping.markup(DifferenceReport.show(difference.expected, kind: difference.kind)))"
                + "</code><br>"
                + "actual: <code>\(XMLEscaping.markup(DifferenceReport.show(difference.actual, kind: difference.kind)))"
                + "</code><br>"
                + "<span class=\"hint\">\(XMLEscaping.markup(difference.hint))</span></li>\n"
        }
        return html + "</ol>\n"
    }

    /// The expected and actual canonical forms side by side, differing lines marked; empty without both.
    public static func sideBySide(expected: String?, actual: String?, expectedName: String, actualName: String)
        -> String
    {
        guard let expected, let actual else { return "" }
        var html = "<div class=\"sides\"><div class=\"head\">\(XMLEscaping.markup(expectedName))</div>"
            + "<div class=\"head\">\(XMLEscaping.markup(actualName))</div>\n"
        for row in UnifiedDiff().sideBySide(expected, actual) {
            let changed = row.changed ? " changed" : ""
            html += "<div class=\"old\(changed)\(row.old == nil ? " blank" : "")\">\(XMLEscaping.markup(row.old ?? ""))</div>"
                + "<div class=\"new\(changed)\(row.new == nil ? " blank" : "")\">\(XMLEscaping.markup(row.new ?? ""))</div>\n"
        }
        return html + "</div>\n"
    }

    /// A message body in canonical pretty form (prefixes normalised, indented), or as text when it is not XML.
    public static func envelope(_ body: [UInt8], title: String) -> String {
        let shown: String
        if let document = try? XMLDocument(bytes: body, name: title) {
            shown = CanonicalPrinter(options: ComparisonOptions()).print([document])[0]
        } else {
            shown = String(decoding: body.prefix(64 << 10), as: UTF8.self)
        }
        return "<h4>\(XMLEscaping.markup(title))</h4>\n<pre class=\"envelope\">\(XMLEscaping.markup(shown))</pre>\n"
    }
}
