import Foundation
import SoaptapeCore
import Testing

/// `compare` as a command, and old recordings replayed against a new version: only the contract's differences show.
struct CompareCommandTests {
    @Test func breakingChangesFailTheBuildWhenAsked() throws {
        let old = CLI.root.appendingPathComponent("specs/Services84/Favourite/Favourite.wsdl").path
        let new = CLI.root.appendingPathComponent("specs/Services88/Favourite/Favourite.wsdl").path
        // 84 → 88 adds operations and Rank, and new values to two enumerations GetFavourites answers with: an old
        // .NET client refuses an enumeration value it does not know, so --fail-on breaking fails.
        let changed = try CLI.run(["compare", old, new, "--fail-on", "breaking"], in: CLI.root.path)
        #expect(changed.status == 1, "\(changed)")
        #expect(changed.stdout.hasSuffix("11 operations compared: 4 changed (2 breaking, 4 additive changes), 7 unchanged.\n"),
                "\(changed.stdout)")
        #expect(changed.stdout.contains("""
              breaking  enumeration-values-added  response /GetFavouritesResponse/Response/Favourite/TableRight/Mask
            """))
        #expect(changed.stdout.contains("list item Unused1, Uninitialized, R, F"))
        #expect(try CLI.run(["compare", old, new, "--fail-on", "any"], in: CLI.root.path).status == 1)
        // Limited to an operation that only gained operations' company: additive passes.
        let additive = try CLI.run(["compare", old, new, "--fail-on", "breaking", "--operations", "ToggleFavourite"],
                                   in: CLI.root.path)
        #expect(additive.status == 0, "\(additive)")
        // The other way round, operations disappear: breaking.
        let backwards = try CLI.run(["compare", new, old, "--fail-on", "breaking", "--format", "json"], in: CLI.root.path)
        #expect(backwards.status == 1)
        let json = try JSONSerialization.jsonObject(with: Data(backwards.stdout.utf8)) as? [String: Any]
        #expect(json?["breaking"] as? Bool == true)
        #expect((json?["changes"] as? [[String: Any]])?.contains { $0["kind"] as? String == "element-removed" } == true)
        let missing = try CLI.run(["compare", "nowhere", new], in: CLI.root.path)
        #expect(missing.status == 2)
        #expect(missing.stderr.hasPrefix("nowhere:1:1: error: no such file or folder"))
    }

    @Test func services86RecordingsReplayedAgainstServices88ShowOnlyTheContractsDifferences() throws {
        // Record Sale.GetSale and ToggleFavourite in Services86 through the proxy, from the sandbox.
        let (sandbox, upstream) = try CLI.startServer(["sandbox", "--specs", "specs"])
        defer { CLI.stop(sandbox) }
        let cassette = try CLI.directory(with: [:]) + "/v86.yaml"
        let (recorder, proxy) = try CLI.startServer(["record", "--upstream", upstream, "--cassette", cassette])
        for operation in ["Services86/Sale/GetSale", "Services86/Favourite/ToggleFavourite"] {
            #expect(try CLI.run(["send", operation, "--soap", "1.1", "--set", "Ticket=t", "--to", proxy], in: CLI.root.path).status == 0)
        }
        CLI.stop(recorder)
        // Replayed against the Services88 endpoints: GetSale gained Number (the drift pages say so); nothing else.
        let outcome = try CLI.run(["replay", cassette, "--target", upstream, "--mode", "contract",
                                   "--map-namespace", "Services86=Services88", "--map-path", "/Services86/=/Services88/"],
                                  in: CLI.root.path)
        // A new response element is additive, as compare classes it: it passes and is listed.
        #expect(outcome.status == 0, "\(outcome)")
        #expect(outcome.stdout.contains("""
              PASS   #1 Services86/Sale/GetSale
                  additive (passes; --fail-on any fails it): unexpected element at /Envelope/Body/GetSaleResponse/Response/Number
            """), "\(outcome)")
        #expect(outcome.stdout.contains("2 interactions: 2 passed. Result: passed."))
        #expect(outcome.stdout.components(separatedBy: "additive (").count - 1 == 1)  // exactly one change
        // --fail-on any: the same change fails.
        let strict = try CLI.run(["replay", cassette, "--target", upstream, "--mode", "contract", "--fail-on", "any",
                                  "--map-namespace", "Services86=Services88", "--map-path", "/Services86/=/Services88/"],
                                 in: CLI.root.path)
        #expect(strict.status == 1)
        #expect(strict.stdout.contains("""
              FAIL   #1 Services86/Sale/GetSale
                  1) unexpected element at /Envelope/Body/GetSaleResponse/Response/Number
            """), "\(strict)")
        let compared = try CLI.run(["compare", "specs/Services86", "specs/Services88", "--operations", "GetSale,ToggleFavourite"],
                                   in: CLI.root.path)
        #expect(compared.stdout.contains("additive  element-added  response /GetSaleResponse/Response/Number"))
    }
}
