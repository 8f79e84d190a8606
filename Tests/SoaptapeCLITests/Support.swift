import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a run of the soaptape binary printed and returned.
struct Outcome: Equatable, CustomStringConvertible {
    var stdout: String
    var stderr: String
    var status: Int32
    var description: String { "status \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
}

enum CLI {
    /// The repository root, from this file's place.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static let envelopes = root.appendingPathComponent("Tests/Fixtures/envelopes").path

    /// The built `soaptape` binary, beside the test bundle.
    static let binary: URL = {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = executable.deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("soaptape").path),
            directory.path != "/"
        {
            directory = directory.deletingLastPathComponent()
        }
        return directory.appendingPathComponent("soaptape")
    }()

    /// Runs soaptape with `arguments` from the repository root, with `environment` added to this process's.
    static func runWithEnvironment(_ arguments: [String], environment: [String: String]) throws -> Outcome {
        try run(arguments, in: root.path, environment: environment)
    }

    /// Runs soaptape with `arguments` in `directory`, feeding `stdin`.
    static func run(_ arguments: [String], stdin: Data? = nil, in directory: String? = nil,
                    environment added: [String: String] = [:]) throws -> Outcome {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory ?? envelopes)
        var environment = ProcessInfo.processInfo.environment.merging(added) { _, given in given }
        environment["NO_COLOR"] = "1"
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        let stderrData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(stdout: String(decoding: stdoutData, as: UTF8.self),
                       stderr: String(decoding: stderrData, as: UTF8.self), status: process.terminationStatus)
    }

    /// Runs any executable with `arguments` from the repository root.
    static func runExecutable(_ executable: String, _ arguments: [String]) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = root
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        let stderrData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(stdout: String(decoding: stdoutData, as: UTF8.self),
                       stderr: String(decoding: stderrData, as: UTF8.self), status: process.terminationStatus)
    }

    /// Starts `executable` (the soaptape binary when nil) from the repository root and returns it with the
    /// `http://127.0.0.1:PORT` URL its first line of output names (servers print where they listen).
    static func startServer(_ arguments: [String], executable: String? = nil,
                            environment: [String: String] = [:]) throws -> (Process, String) {
        let (process, url, _) = try startServerKeepingOutput(arguments, executable: executable, environment: environment)
        return (process, url)
    }

    /// `startServer`, also returning the pipe its stdout goes on, for reading what it prints later.
    static func startServerKeepingOutput(_ arguments: [String], executable: String? = nil,
                                         environment: [String: String] = [:]) throws -> (Process, String, Pipe) {
        let process = Process()
        process.executableURL = executable.map { URL(fileURLWithPath: $0) } ?? binary
        process.arguments = arguments
        process.currentDirectoryURL = root
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, given in given }
        }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        return (process, localURL(in: String(decoding: line, as: UTF8.self)) ?? "", output)
    }

    /// The first `http://127.0.0.1:PORT` in `text` (whatever surrounds it: a space, parentheses, a semicolon).
    static func localURL(in text: String) -> String? {
        guard let start = text.range(of: "http://127.0.0.1:") else { return nil }
        let port = text[start.upperBound...].prefix { $0.isASCII && $0.isNumber }
        return port.isEmpty ? nil : String(text[start.lowerBound..<start.upperBound]) + port
    }

    /// Starts soaptape with `arguments`, its stdout and stderr written to `log` (for scanning afterwards), and
    /// returns it with the address it printed.
    static func startLoggedServer(_ arguments: [String], log: String, executable: String? = nil,
                                  environment: [String: String] = [:]) throws -> (Process, String) {
        let process = Process()
        process.executableURL = executable.map { URL(fileURLWithPath: $0) } ?? binary
        process.arguments = arguments
        process.currentDirectoryURL = root
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, given in given }
        }
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        // The address is the first thing it prints; a read of the file is retried until it is there.
        for _ in 0..<2_000 {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let url = localURL(in: text) { return (process, url) }
            guard process.isRunning else { break }
            usleep(5_000)
        }
        return (process, "")
    }

    /// Stops a server process: SIGTERM, and SIGKILL if it is still there after five seconds, so that no test
    /// leaves a process behind.
    static func stop(_ process: Process) {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// A fresh temporary directory holding `files`.
    static func directory(with files: [String: [UInt8]]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("soaptape-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, bytes) in files {
            _ = FileManager.default.createFile(atPath: path + "/" + name, contents: Data(bytes))
        }
        return path
    }
}

/// A TCP listener on 127.0.0.1 and a free port that counts the connections made to it.
final class ConnectionRecorder: @unchecked Sendable {
    let port: UInt16
    private let socketDescriptor: Int32
    private let counter = Counter()

    private final class Counter: @unchecked Sendable {
        let lock = NSLock()
        var connections = 0
        let accepted = DispatchSemaphore(value: 0)
    }

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        socketDescriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0, listen(descriptor, 8) == 0 else { throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        let counter = counter
        let thread = Thread {
            while true {
                let client = accept(descriptor, nil, nil)
                if client < 0 { return }
                counter.lock.withLock { counter.connections += 1 }
                close(client)
                counter.accepted.signal()
            }
        }
        thread.start()
    }

    var count: Int { counter.lock.withLock { counter.connections } }

    /// Waits until a connection has been accepted, or `seconds` pass.
    func waitForConnection(seconds: Double) -> Bool { counter.accepted.wait(timeout: .now() + seconds) == .success }

    /// Connects once, to show that the listener does notice connections.
    func connectOnce() {
        let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        close(client)
    }

    deinit {
        shutdown(socketDescriptor, Int32(SHUT_RDWR))
        close(socketDescriptor)
    }
}
