import Foundation
import Synchronization
@testable import GHLAPI

/// Helpers the GHLAPI tests share: quick retries, whole listings, a value shared with closures.
extension RetryPolicy {
    /// Quick retries, so fault tests take milliseconds.
    static let fast = RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(2), maxDelay: .milliseconds(20))
}

extension GHLClient {
    /// Every page of a listing, for tests.
    func allPages(_ resource: GHLResource, pageSize: Int? = nil, updatedSince: Date? = nil,
                  resumeFrom: PageCheckpoint? = nil) async throws -> [GHLPage] {
        var pages: [GHLPage] = []
        for try await page in self.pages(resource, pageSize: pageSize, updatedSince: updatedSince, resumeFrom: resumeFrom) {
            pages.append(page)
        }
        return pages
    }
}

/// A value shared between a test and the closures it hands out.
final class Shared<Value: Sendable>: Sendable {
    private let state: Mutex<Value>

    init(_ value: Value) { state = Mutex(value) }

    func withLock<R>(_ body: (inout Value) -> R) -> R { state.withLock { body(&$0) } }
}
