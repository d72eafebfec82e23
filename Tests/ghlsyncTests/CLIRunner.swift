import Foundation

/// Runs the built `ghlsync` binary (or `$GHLSYNC_BIN`) and captures its output.
struct CLIRunner {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var binary: String {
        ProcessInfo.processInfo.environment["GHLSYNC_BIN"] ?? packageRoot.appendingPathComponent(".build/debug/ghlsync").path
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var lastLine: String { stdout.split(separator: "\n").last.map(String.init) ?? "" }
    }

    /// Runs to completion; a run longer than `timeout` seconds is killed, so a hang fails its test instead of the suite.
    static func run(_ arguments: [String], environment: [String: String] = [:], executable: String = binary,
                    timeout: TimeInterval = 300) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        defer { watchdog.cancel() }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// `sqlite3` from the system, to check the file works without ghlsync.
    static func sqlite3(_ path: String, _ sql: String) throws -> String {
        let result = try run([path, sql], executable: "/usr/bin/sqlite3")
        guard result.status == 0 else { throw CLIError(message: result.stderr) }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    struct CLIError: Error { var message: String }
}

/// A temporary directory removed when the test ends.
final class TemporaryDirectory {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ghlsync-cli-\(UUID().uuidString)")

    init() throws { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}
