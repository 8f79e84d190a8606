import ArgumentParser
import Foundation

/// The `soaptape` command: record/replay contract testing for SOAP services.
@main
struct Soaptape: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soaptape",
        abstract: "Record SOAP traffic, replay it against clients and servers, and compare envelopes and contracts.",
        discussion: """
            soaptape compares SOAP envelopes the way a person reads them: by namespace URI and local \
            name, never by prefix; with xsi:type values resolved; ignoring indentation, attribute order, \
            comments and CDATA markup. Every difference is reported with a readable path, the expected \
            and actual values, their lines, and what to do about it.

            The loop: record real traffic through a proxy (record), check it against specs and schemas offline \
            (verify, validate), answer a client under test from it (serve), send it to a server under test \
            (replay), and compare service versions (compare), or live traffic between versions as it passes (shadow). A large set runs as CI shards (--shard K/N) whose \
            reports become one (report merge). The sandbox stubs every spec'd operation, so all of it runs without \
            the real service.

            Exit codes: 0 all good; 1 findings (differences); 2 usage, input or environment errors, \
            printed as FILE:LINE:COL: error: … where a place is known.
            """,
        version: SoaptapeVersion.current,
        subcommands: [
            DiffCommand.self, CanonCommand.self, ImportCommand.self, LintCommand.self, SandboxCommand.self, SendCommand.self,
            RecordCommand.self, VerifyCommand.self, ServeCommand.self, ReplayCommand.self, ValidateCommand.self, CompareCommand.self,
            ShadowCommand.self, ReportCommand.self,
        ]
    )

    /// Runs the command line, mapping every failure onto soaptape's exit codes (0, 1, 2).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as CLIError {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            Foundation.exit(error.exitCode)
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                print(message)
                Foundation.exit(0)
            }
            FileHandle.standardError.write(Data((message + "\n").utf8))
            // Usage errors exit 2 (argument-parser's own default is 64).
            Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}

/// soaptape's version, printed by `--version` and written into cassettes.
enum SoaptapeVersion {
    static let current = "0.1.0"
}
