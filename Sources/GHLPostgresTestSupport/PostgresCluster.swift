import Foundation

/// A throwaway PostgreSQL cluster for the tests that need one: `initdb` into a
/// temporary directory, `pg_ctl start` on 127.0.0.1 and a free port, one fresh
/// database per caller, everything stopped and removed when the test process
/// exits. One cluster per process, started on first use and shared by the suites.
///
/// Run as root (CI), the server programs run as the `postgres` user (initdb
/// refuses root) through `runuser`. A missing PostgreSQL fails the test with
/// how to install it: nothing is skipped.
public final class PostgresCluster: Sendable {
    /// The cluster of this test process; the first call starts it.
    public static func shared() throws -> PostgresCluster {
        try sharedCluster.get()
    }

    public let port: Int
    public let directory: URL
    /// Where initdb, pg_ctl and psql are.
    public let binaries: URL
    /// The cluster's superuser, as initdb was told to name it.
    public let superuser = "postgres"
    private let runAs: String?

    /// A new, empty database on the cluster; returns its `postgres://` URL.
    public func createDatabase(_ label: String = "ghlsync") throws -> String {
        let name = "\(label)_\(UUID().uuidString.prefix(8).lowercased())"
        _ = try psql(database: "postgres", script: "CREATE DATABASE \(name);", singleTransaction: false)
        return url(database: name)
    }

    /// The URL of `database` on this cluster, as the superuser.
    public func url(database: String) -> String {
        "postgres://\(superuser)@127.0.0.1:\(port)/\(database)"
    }

    /// Runs `script` with `psql` (in one transaction unless told otherwise),
    /// stopping at the first error; returns what it printed, unaligned and tuples only (`-At`).
    /// It logs in as `role` (the superuser unless given; the cluster trusts every local login).
    public func psql(database: String, script: String, singleTransaction: Bool = true, role: String? = nil) throws -> String {
        let result = try Self.run(binaries.appendingPathComponent("psql").path,
                                  ["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1"] + (singleTransaction ? ["--single-transaction"] : []) + [
                                   "-h", "127.0.0.1", "-p", String(port), "-U", role ?? superuser, "-d", database, "-f", "-"],
                                  stdin: script)
        guard result.status == 0 else { throw ClusterError("psql failed: \(result.stderr)") }
        return result.stdout
    }

    private static let sharedCluster = Result(catching: { try PostgresCluster() })

    private init() throws {
        binaries = try Self.findBinaries()
        runAs = getuid() == 0 ? "postgres" : nil
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ghlsync-pg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if let runAs {
            try FileManager.default.setAttributes([.ownerAccountName: runAs], ofItemAtPath: directory.path)
        }
        let data = directory.appendingPathComponent("data").path
        let (binaries, runAs) = (binaries, runAs)
        func runServerProgram(_ program: String, _ arguments: [String], capture: Bool = true) throws {
            try Self.runServerProgram(binaries.appendingPathComponent(program).path, arguments, runAs: runAs, capture: capture)
        }
        try runServerProgram("initdb", ["-D", data, "-U", superuser, "--auth=trust", "-E", "UTF8", "--no-sync"])
        let log = directory.appendingPathComponent("log")
        var lastFailure = ""
        for _ in 0..<5 {
            let candidate = try Self.freePort()
            do {
                // The server outlives pg_ctl and would hold any pipe of ours open: its output goes to the log only.
                try runServerProgram("pg_ctl", ["-D", data, "-l", log.path, "-w", "-t", "60",
                                                "-o", "-p \(candidate) -c listen_addresses=127.0.0.1 -k \(directory.path) -c fsync=off",
                                                "start"], capture: false)
                port = candidate
                Self.stopAtExit(data: data, directory: directory, runAs: runAs, pgCtl: binaries.appendingPathComponent("pg_ctl").path)
                return
            } catch {
                lastFailure = "\(error) " + ((try? String(contentsOf: log, encoding: .utf8)) ?? "")
            }
        }
        throw ClusterError("pg_ctl start failed: \(lastFailure)")
    }

    /// Runs a server program, as `runAs` when given (initdb and postgres refuse root).
    private static func runServerProgram(_ path: String, _ arguments: [String], runAs: String?, capture: Bool = true) throws {
        let result = try runAs.map { try run("/usr/sbin/runuser", ["-u", $0, "--", path] + arguments, capture: capture) }
            ?? run(path, arguments, capture: capture)
        guard result.status == 0 else { throw ClusterError("\(path) failed: \(result.stderr)\(result.stdout)") }
    }

    /// `$GHLSYNC_PG_BIN`, else the newest /usr/lib/postgresql/N/bin (Debian's layout).
    private static func findBinaries() throws -> URL {
        if let given = ProcessInfo.processInfo.environment["GHLSYNC_PG_BIN"] { return URL(fileURLWithPath: given) }
        let root = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        let newest = versions.compactMap(Int.init).sorted().last.map { root.appendingPathComponent("\($0)/bin") }
        guard let newest, FileManager.default.isExecutableFile(atPath: newest.appendingPathComponent("initdb").path) else {
            throw ClusterError("""
                PostgreSQL's server programs (initdb, pg_ctl, psql) were not found in /usr/lib/postgresql/N/bin: \
                install them with `apt-get install -y postgresql` (Debian), or set GHLSYNC_PG_BIN to their folder
                """)
        }
        return newest
    }

    /// The exit of the test process stops the server and removes its files.
    private static func stopAtExit(data: String, directory: URL, runAs: String?, pgCtl: String) {
        atExit = (data, directory, runAs, pgCtl)
        atexit {
            guard let (data, directory, runAs, pgCtl) = PostgresCluster.atExit else { return }
            try? PostgresCluster.runServerProgram(pgCtl, ["-D", data, "-m", "immediate", "-w", "stop"], runAs: runAs, capture: false)
            try? FileManager.default.removeItem(at: directory)
        }
    }

    /// Set once, by the one start (`sharedCluster` runs its initialiser once), before `atexit` can read it.
    nonisolated(unsafe) private static var atExit: (data: String, directory: URL, runAs: String?, pgCtl: String)?

    /// A port free now on 127.0.0.1 (the kernel's choice); a race with
    /// another process is retried by the caller.
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClusterError("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw ClusterError("bind() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    struct Output { var status: Int32; var stdout: String; var stderr: String }

    /// Runs a program to its end; with `capture` false its output is dropped and no pipe is made.
    private static func run(_ executable: String, _ arguments: [String], stdin: String? = nil, capture: Bool = true) throws -> Output {
        guard capture else {
            // Not `Process`: it learns of the exit through a descriptor the
            // child inherits, which a server started in the background keeps
            // open, so it would never see pg_ctl end. `system` waits on the pid.
            let quoted = ([executable] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
            let status = system(quoted.joined(separator: " ") + " < /dev/null > /dev/null 2>&1")
            return Output(status: status == 0 ? 0 : 1, stdout: "", stderr: "")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        input.fileHandleForWriting.write(Data((stdin ?? "").utf8))
        try input.fileHandleForWriting.close()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }
}

/// Why the cluster could not be started or used, in one readable sentence.
public struct ClusterError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
