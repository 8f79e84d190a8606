import Foundation
import Testing

/// The HTML report as a browser shows it: Debian's chromium (installed by `make test`) renders a failing replay's
/// report headless; the rendered DOM has one row per interaction and the failing path, and a screenshot is taken.
struct HTMLReportTests {
    static let chromium = "/usr/bin/chromium"

    @Test func aFailingReplayReportRendersInChromium() throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.chromium),
                "chromium is not installed: `make test` installs it (apt-get install chromium)")
        guard FileManager.default.isExecutableFile(atPath: Self.chromium) else { return }
        let cassette = try ReplayCommandTests.recordSeedCassette()
        // A sandbox whose ToggleFavourite example answers false first: the recording said true.
        let specs = try CLI.directory(with: [:]) + "/specs"
        try FileManager.default.copyItem(atPath: CLI.root.appendingPathComponent("specs").path, toPath: specs)
        let examples = specs + "/Services88/Favourite/ToggleFavourite.examples.yaml"
        try String(contentsOfFile: examples, encoding: .utf8).replacingOccurrences(of: ">true</", with: ">false</")
            .write(toFile: examples, atomically: true, encoding: .utf8)
        let (sandbox, url) = try CLI.startServer(["sandbox", "--specs", specs])
        defer { CLI.stop(sandbox) }
        let html = specs + "/../report.html"
        let replay = try CLI.run(["replay", cassette, "--target", url, "--html", html], in: CLI.root.path)
        #expect(replay.status == 1)

        let profile = try CLI.directory(with: [:])
        let common = ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + profile, "--window-size=1280,1600"]
        let dom = try CLI.runExecutable(Self.chromium, common + ["--dump-dom", "file://" + html])
        #expect(dom.status == 0, "\(dom)")
        // One row per interaction, in recorded order, with its verdict.
        let rows = dom.stdout.components(separatedBy: "<tr class=\"interaction ").dropFirst().map { $0.prefix(while: { $0 != "\"" }) }
        #expect(rows == ["failed", "passed", "passed"])
        // The failing path in the table row, and in the side-by-side view the two values on one highlighted row.
        #expect(dom.stdout.contains("text value at <span class=\"path\">/Envelope/Body/ToggleFavouriteResponse/Response</span>"))
        #expect(dom.stdout.contains("<div class=\"old changed\">      &lt;ns1:Response xsi:type=\"xsd:boolean\"&gt;true&lt;/ns1:Response&gt;</div>"))
        #expect(dom.stdout.contains("<p class=\"summary failed\" id=\"summary\">3 interactions: 2 passed, 1 failed. Result: failed.</p>"))

        let screenshot = profile + "/report.png"
        let shot = try CLI.runExecutable(Self.chromium, common + ["--screenshot=" + screenshot, "file://" + html])
        #expect(shot.status == 0, "\(shot)")
        let png = try Data(contentsOf: URL(fileURLWithPath: screenshot))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(png.count > 20_000)  // a rendered page, not a blank one
    }
}
