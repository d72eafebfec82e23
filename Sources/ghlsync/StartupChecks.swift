import Foundation
import Hummingbird
import NIOCore

/// What `serve` and `demo` check before they start, so a missing piece is one
/// line naming what and where (`CLIError`) instead of a crash or a stack of errors.
enum StartupChecks {
    /// SQLite writes its WAL and the signing key beside the file: an
    /// unwritable folder is reported here rather than at the first write.
    static func requireWritableFolder(of path: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard FileManager.default.isWritableFile(atPath: folder) else {
            throw CLIError("cannot write to the folder \(folder) (SQLite keeps its -wal and -shm files and the key file there)")
        }
    }

    /// Runs `app`, turning a failure to listen into one line naming the address.
    static func serving(_ app: some ApplicationProtocol, host: String, port: Int) async throws {
        do {
            try await app.runService()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw CLIError("cannot listen on \(host):\(port): the address is already in use")
        } catch let error as IOError {
            throw CLIError("cannot listen on \(host):\(port): \(error.description)")
        }
    }
}
