import ArgumentParser
import SoaptapeCore

/// The inspector page's option, shared by every command that listens (`record`, `serve`, `sandbox`, `shadow`).
struct InspectorFlags: ParsableArguments {
    @Option(name: .customLong("ui-token"),
            help: ArgumentHelp("The token the inspector page (/__soaptape/) and its data need. Given, it is always "
                               + "needed; not given, a random one is made and printed when the listen address is not "
                               + "loopback.", valueName: "token"))
    var token: String?

    func validate() throws {
        if let token, token.count < 16 || token.contains(where: { !$0.isLetter && !$0.isNumber && $0 != "-" && $0 != "_" }) {
            throw ValidationError("--ui-token must be at least 16 letters, digits, '-' or '_' (it guards the inspector "
                                  + "on a non-loopback address).")
        }
    }

    /// The routes for `log` on `host`: guarded by the token given, else — off loopback — by a fresh one.
    func routes(_ log: InspectorLog, host: String) -> InspectorRoutes {
        let made = InspectorRoutes.isLoopback(host) ? nil : InspectorRoutes.makeToken()
        return InspectorRoutes(log: log, token: token ?? made)
    }

    /// Where the page is, token included when one is needed.
    static func address(_ base: String, _ routes: InspectorRoutes) -> String {
        base + InspectorRoutes.prefix + (routes.token.map { "?token=" + $0 } ?? "")
    }
}
