import Foundation
import SoaptapeCore
import SoaptapeHTTP
import Testing

/// Credentials never reach a cassette, a report (any of the four formats) or a log: every seed operation and an
/// authentication are recorded with live-looking secrets in headers and bodies, then verified, served and replayed
/// with every report written, and every file and every line any process printed is searched for them.
struct SecretsTests {
    static let ticket = "7T:LiveTicketSECRET0123456789abcdef=="
    static let applicationToken = "AppTokenSECRET-1234"
    static let password = "PasswordSECRET!xyz"
    static let answeredTicket = "7T:AnsweredTicketSECRET9876543210=="
    static let authorization = "Basic QXV0aG9yaXphdGlvblNFQ1JFVA=="
    static let cookie = "ASP.NET_SessionId=CookieSECRET42"
    static let secrets = [ticket, applicationToken, password, answeredTicket, authorization, cookie]

    @Test func noSecretReachesACassetteAReportOrALog() async throws {
        let work = try CLI.directory(with: [:])
        // Specs whose authentication answers with a ticket, as SoPrincipal does.
        let specs = work + "/specs"
        try FileManager.default.copyItem(atPath: CLI.root.appendingPathComponent("specs").path, toPath: specs)
        let auth = specs + "/Services88/SoPrincipal/AuthenticateUsernamePassword.yaml"
        try (try String(contentsOfFile: auth, encoding: .utf8))
            .replacingOccurrences(of: "<SoPrincipal:Ticket xsi:type=\"xsd:string\">${string}</SoPrincipal:Ticket>",
                                  with: "<SoPrincipal:Ticket xsi:type=\"xsd:string\">\(Self.answeredTicket)</SoPrincipal:Ticket>")
            .write(toFile: auth, atomically: true, encoding: .utf8)
        let (sandbox, upstream) = try CLI.startLoggedServer(["sandbox", "--specs", specs], log: work + "/sandbox.log")
        defer { CLI.stop(sandbox) }
        let cassette = work + "/secrets.yaml"
        let (recorder, proxy) = try CLI.startLoggedServer(["record", "--upstream", upstream, "--cassette", cassette,
                                                           "--specs", specs], log: work + "/record.log")
        var outputs: [String] = []
        let credentials = ["--set", "Ticket=\(Self.ticket)", "--set", "ApplicationToken=\(Self.applicationToken)"]
        for operation in ["Services88/Favourite/ToggleFavourite", "Services83/CustomerService/UpdateFeatureToggles",
                          "Services86/ErpSync/ToggleErpConnectionActive"] {
            let sent = try CLI.run(["send", operation, "--specs", specs, "--to", proxy] + credentials, in: CLI.root.path)
            #expect(sent.status == 0, "\(sent)")
        }
        let login = try CLI.run(["send", "Services88/SoPrincipal/AuthenticateUsernamePassword", "--specs", specs, "--to", proxy,
                                 "--set", "UserName=ann", "--set", "Password=\(Self.password)",
                                 "--set", "ApplicationToken=\(Self.applicationToken)"], in: CLI.root.path)
        #expect(login.status == 0, "\(login)")
        #expect(login.stdout.contains(Self.answeredTicket))  // the client gets the live answer
        // Credentials in HTTP headers too.
        let spec = try SpecLoader.load(specs + "/Services88/Favourite/ToggleFavourite.yaml").spec
        let body = try EnvelopeTemplate.render(spec.request, as: .soap11, values: ["Ticket": Self.ticket])
        _ = try await SoapClient().post(proxy + spec.endpoint, headers: [
            ("Content-Type", "text/xml; charset=utf-8"), ("SOAPAction", "\"\(spec.action)\""),
            ("Authorization", Self.authorization), ("Cookie", Self.cookie),
        ], body: Array(body.utf8))
        CLI.stop(recorder)

        // verify, every format.
        let verified = try CLI.run(["verify", "--specs", specs, cassette, "--json", work + "/verify.json",
                                    "--junit", work + "/verify.xml", "--html", work + "/verify.html"], in: CLI.root.path)
        outputs += [verified.stdout, verified.stderr]
        // serve: the same requests with the live secrets, and one that matches nothing.
        let (server, served) = try CLI.startLoggedServer(
            ["serve", cassette, "--specs", specs, "--json", work + "/serve.json", "--junit", work + "/serve.xml",
             "--html", work + "/serve.html"], log: work + "/serve.log")
        for arguments in [["Services88/Favourite/ToggleFavourite"] + credentials,
                          ["Services88/Favourite/ToggleFavourite", "--set", "RecordId=99"] + credentials,
                          ["Services88/SoPrincipal/AuthenticateUsernamePassword", "--set", "UserName=ann",
                           "--set", "Password=\(Self.password)", "--set", "ApplicationToken=\(Self.applicationToken)"]] {
            let sent = try CLI.run(["send"] + arguments + ["--specs", specs, "--to", served], in: CLI.root.path)
            outputs += [sent.stdout, sent.stderr]
        }
        CLI.stop(server)
        // replay against a server whose answers changed, so that every report shows the live answers.
        try (try String(contentsOfFile: auth, encoding: .utf8)).replacingOccurrences(of: "${boolean}", with: "true")
            .write(toFile: auth, atomically: true, encoding: .utf8)
        let (changed, changedURL) = try CLI.startLoggedServer(["sandbox", "--specs", specs], log: work + "/changed.log")
        defer { CLI.stop(changed) }
        for mode in ["exact", "contract"] {
            let replayed = try CLI.run(
                ["replay", cassette, "--target", changedURL, "--specs", specs, "--mode", mode] + credentials
                    + ["--set", "Password=\(Self.password)", "--set", "Authorization=\(Self.authorization)",
                       "--json", work + "/replay-\(mode).json", "--junit", work + "/replay-\(mode).xml",
                       "--html", work + "/replay-\(mode).html"], in: CLI.root.path)
            if mode == "exact" { #expect(replayed.status == 1, "\(replayed)") }  // the changed answers are caught…
            outputs += [replayed.stdout, replayed.stderr]
        }
        let report = try String(contentsOfFile: work + "/replay-exact.json", encoding: .utf8)
        #expect(report.contains("AuthenticateResponse"))  // …and the reports show the live answers, redacted

        // Not one secret anywhere: the cassette, the reports, the logs, and what every command printed.
        let files = try FileManager.default.contentsOfDirectory(atPath: work).filter { !$0.hasPrefix("specs") }
        #expect(files.count >= 15, "\(files)")
        for secret in Self.secrets {
            for file in files {
                let text = try String(contentsOfFile: work + "/" + file, encoding: .utf8)
                #expect(!text.contains(secret), "\(secret) in \(file)")
            }
            for output in outputs { #expect(!output.contains(secret), "\(secret) printed: \(output.prefix(300))") }
        }
        #expect(try String(contentsOfFile: cassette, encoding: .utf8).contains("${redacted}"))
    }
}
