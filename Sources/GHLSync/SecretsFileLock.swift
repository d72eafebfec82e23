import Foundation
import GHLAPI
import Synchronization

/// The cross-process lock of an OAuth secrets file: two processes refreshing
/// one file's tokens at the same moment would spend one refresh token twice
/// (GHL rotates it; the loser fails until its next run).
///
/// An exclusive `flock` on `<file>.lock` beside it (0600), not on the file
/// itself: the file is replaced by a rename on every rotation, so a lock on
/// it would be held on an inode that is no longer the file. After taking the
/// lock the file is read again, so the session sees a pair that another
/// process stored while it waited.
final class SecretsFileLock: RefreshCoordinator {
    let path: String
    private let descriptor = Mutex<Int32?>(nil)

    init(secretsFile: String) {
        path = secretsFile
    }

    func lock() async throws -> OAuthTokens {
        let lockPath = path + ".lock"
        // flock blocks: wait on a thread of its own, never a cooperative one.
        let fd = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, any Error>) in
            DispatchQueue.global().async {
                let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
                guard fd >= 0 else {
                    continuation.resume(throwing: SyncError.token("cannot open \(lockPath): \(String(cString: strerror(errno)))"))
                    return
                }
                var result: Int32
                repeat { result = flock(fd, LOCK_EX) } while result != 0 && errno == EINTR
                guard result == 0 else {
                    let reason = String(cString: strerror(errno))
                    close(fd)
                    continuation.resume(throwing: SyncError.token("cannot lock \(lockPath): \(reason)"))
                    return
                }
                continuation.resume(returning: fd)
            }
        }
        descriptor.withLock { $0 = fd }
        do {
            let stored = try SourceCredentials.readSecrets(path)
            return OAuthTokens(accessToken: stored.accessToken, refreshToken: stored.refreshToken, expiresAt: stored.expiresAt)
        } catch {
            unlock()
            throw error
        }
    }

    func unlock() {
        guard let fd = descriptor.withLock({ fd in defer { fd = nil }; return fd }) else { return }
        flock(fd, LOCK_UN)
        close(fd)
    }
}
