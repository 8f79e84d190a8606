import Foundation
import SoaptapeCore
import SoaptapeHTTP
import Testing

/// `soaptape record` as a process: killed without warning, it leaves a cassette that loads.
struct RecordCommandTests {
    @Test func aKilledRecorderLeavesACassetteThatLoads() async throws {
        let (sandbox, upstream) = try CLI.startServer(["sandbox", "--specs", "specs", "--listen", "127.0.0.1:0"])
        defer { sandbox.terminate() }
        let cassette = FileManager.default.temporaryDirectory.appendingPathComponent("soaptape-\(UUID().uuidString).yaml").path
        let (recorder, proxy) = try CLI.startServer(["record", "--upstream", upstream, "--cassette", cassette,
                                                     "--listen", "127.0.0.1:0"])
        #expect(proxy.hasPrefix("http://127.0.0.1:"))
        let spec = try SpecLoader.load(CLI.root.appendingPathComponent("specs/Services88/Favourite/ToggleFavourite.yaml").path).spec
        let body = Array(try EnvelopeTemplate.render(spec.request, as: .soap11).utf8)
        let headers = [("Content-Type", "text/xml; charset=utf-8"), ("SOAPAction", "\"\(spec.action)\"")]
        // Four clients send requests in a loop; the recorder is killed once 40 answers have come back.
        let counter = Counter()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    while !counter.stopped {
                        guard let response = try? await SoapClient().post(proxy + spec.endpoint, headers: headers, body: body),
                            response.status == 200
                        else { return }
                        if counter.increment() == 40 {
                            kill(recorder.processIdentifier, SIGKILL)
                            counter.stop()
                        }
                    }
                }
            }
        }
        // Killed here too when the clients stopped before 40 answers (the failure is then reported, not waited on).
        let answered = counter.stopped
        if !answered { kill(recorder.processIdentifier, SIGKILL) }
        recorder.waitUntilExit()
        #expect(answered, "the clients stopped before 40 answers came back through the recorder")
        #expect(recorder.terminationReason == .uncaughtSignal)
        let (loaded, _) = try CassetteLoader.load(cassette)
        // Every answer a client got was recorded first; at most the in-flight ones are missing or torn.
        #expect(loaded.interactions.count >= 40)
        #expect(loaded.interactions.map(\.sequence) == Array(1...loaded.interactions.count))
        #expect(loaded.droppedTornTail <= 1)
    }

    @Test func modesOnceAndNoneRefuseWhatTheyCannotDo() throws {
        let existing = FileManager.default.temporaryDirectory.appendingPathComponent("soaptape-\(UUID().uuidString).yaml").path
        _ = FileManager.default.createFile(atPath: existing, contents: Data())
        #expect(try CLI.run(["record", "--upstream", "http://127.0.0.1:1", "--cassette", existing, "--mode", "once"],
                            in: CLI.root.path) == Outcome(
            stdout: "", stderr: "\(existing): error: the cassette exists and --mode once records only into a new "
                + "cassette; use --mode new to add to it, or another --cassette\n", status: 2))
        #expect(try CLI.run(["record", "--upstream", "http://127.0.0.1:1", "--cassette", existing + ".missing",
                             "--mode", "none"], in: CLI.root.path) == Outcome(
            stdout: "", stderr: "\(existing).missing: error: no such cassette, and --mode none only answers from one\n",
            status: 2))
        #expect(try CLI.run(["record", "--upstream", "http://user:pw@host", "--cassette", existing],
                            in: CLI.root.path).stderr.hasPrefix(
            "Error: --upstream must not carry credentials (user:password@); they would be recorded."))
    }
}

extension RecordCommandTests {
    @Test func aFullDiskLeavesTheCassetteWholeAndClientsAnswered() throws {
        let (sandbox, upstream) = try CLI.startServer(["sandbox", "--specs", "specs"])
        defer { CLI.stop(sandbox) }
        let work = try CLI.directory(with: [:])
        let cassette = work + "/c.yaml"
        // A first session records two interactions.
        let (first, firstProxy) = try CLI.startServer(["record", "--upstream", upstream, "--cassette", cassette])
        for _ in 0..<2 { _ = try CLI.run(["send", "Services88/Favourite/ToggleFavourite", "--to", firstProxy], in: CLI.root.path) }
        CLI.stop(first)
        let before = try CassetteLoader.load(cassette).cassette.interactions
        #expect(before.count == 2)
        // The second runs under a 24 KiB file-size limit (ulimit -f), so the disk is "full" after a few more.
        let log = work + "/record.log"
        let (limited, proxy) = try CLI.startLoggedServer(
            ["-c", "ulimit -f 24; exec \"$0\" \"$@\"", CLI.binary.path, "record", "--upstream", upstream,
             "--cassette", cassette], log: log, executable: "/bin/bash")
        #expect(proxy.hasPrefix("http://127.0.0.1:"), "\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        var statuses: [Int32] = []
        for _ in 0..<20 {
            statuses.append(try CLI.run(["send", "Services88/Favourite/ToggleFavourite", "--to", proxy], in: CLI.root.path).status)
        }
        CLI.stop(limited)
        #expect(statuses.allSatisfy { $0 == 0 })  // every client was answered
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(text.contains("\(cassette): error: cannot write the cassette (File too large); this interaction was not "
                              + "recorded, the cassette is left whole"))
        let after = try CassetteLoader.load(cassette).cassette
        #expect(after.droppedTornTail == 0)
        #expect(Array(after.interactions.prefix(2)) == before)  // what was there is untouched
        #expect(after.interactions.count > 2 && after.interactions.count < 22)
        #expect(after.interactions.map(\.sequence) == Array(1...after.interactions.count))
        let size = (try FileManager.default.attributesOfItem(atPath: cassette)[.size] as? Int) ?? 0
        #expect(size <= 24 * 1024)
    }

    @Test func aCassetteFolderThatCannotBeWrittenIsAClearError() throws {
        // A folder that cannot be made, whoever runs the test (root may write anywhere): its parent is a file.
        let file = try CLI.directory(with: ["not-a-folder": []]) + "/not-a-folder"
        let outcome = try CLI.run(["record", "--upstream", "http://127.0.0.1:1", "--cassette", file + "/c.yaml"],
                                  in: CLI.root.path)
        #expect(outcome.status == 2)
        #expect(outcome.stderr == "\(file)/c.yaml: error: cannot write the cassette (\(file) is a file, not a folder); "
                    + "pick another --cassette\n", "\(outcome)")
        #expect(outcome.stdout.isEmpty)
    }
}

/// A count shared by the client tasks.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    private var done = false

    func increment() -> Int { lock.withLock { value += 1; return value } }
    var count: Int { lock.withLock { value } }
    var stopped: Bool { lock.withLock { done } }
    func stop() { lock.withLock { done = true } }
}
