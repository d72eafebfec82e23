import Foundation
import Hummingbird
import NIOCore

/// Something `serve` or `demo` needs at start is missing or unusable: printed
/// as one line (`Error: ...`) with a non-zero exit, instead of a crash.
struct StartupError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }

    /// SQLite writes its WAL and the signing key beside the file: an
    /// unwritable folder is reported here rather than at the first write.
    static func requireWritableFolder(of path: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard FileManager.default.isWritableFile(atPath: folder) else {
            throw StartupError("cannot write to the folder \(folder) (SQLite keeps its -wal and -shm files and the key file there)")
        }
    }

    /// Runs `app`, turning a failure to listen into one line naming the address.
    static func serving(_ app: some ApplicationProtocol, host: String, port: Int) async throws {
        do {
            try await app.runService()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw StartupError("cannot listen on \(host):\(port): the address is already in use")
        } catch let error as IOError {
            throw StartupError("cannot listen on \(host):\(port): \(error.description)")
        }
    }
}
