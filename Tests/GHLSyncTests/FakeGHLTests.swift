import Foundation
import GHLAPI
import GHLStore
@testable import GHLSync
import GRDB
import Synchronization
import Testing

/// A minimal GHL behind a transport (offset-paged orders, pipelines), to check
/// the engine's bookkeeping without sockets: jobs, sweep, revival, resume.
final class FakeGHL: GHLTransport {
    struct State {
        var orders: [[String: JSONValue]] = []
        var pipelines: [[String: JSONValue]] = [["id": "p1", "name": "Sales", "stages": [["id": "s1", "name": "New"]]]]
        var requests = 0
        /// Requests from this one on answer 500.
        var failFrom: Int?
    }

    let state = Mutex(State())

    init(orders: Int) {
        state.withLock { state in
            state.orders = (0..<orders).map { i in
                ["_id": .string("o\(i)"), "amount": .number(Double(i)), "status": "completed",
                 "createdAt": .string("2024-01-01T00:00:\(String(format: "%02d", i % 60)).000Z")]
            }
        }
    }

    func send(_ request: GHLHTTPRequest, timeout: Duration) async throws -> GHLHTTPResponse {
        let url = URLComponents(string: request.url)!
        let query = Dictionary(uniqueKeysWithValues: (url.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        let body: JSONValue? = state.withLock { state in
            state.requests += 1
            if let from = state.failFrom, state.requests >= from { return nil }
            switch url.path {
            case "/payments/orders":
                let limit = Int(query["limit"] ?? "") ?? 10, offset = Int(query["offset"] ?? "") ?? 0
                let page = state.orders.dropFirst(offset).prefix(limit).map(JSONValue.object)
                return ["data": .array(Array(page)), "totalCount": .number(Double(state.orders.count))]
            case "/opportunities/pipelines":
                return ["pipelines": .array(state.pipelines.map(JSONValue.object))]
            default:
                return ["data": [], "total": 0]
            }
        }
        guard let body else { return GHLHTTPResponse(status: 500, headers: [], body: Array(#"{"message":"boom"}"#.utf8)) }
        return GHLHTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: Array(body.canonicalJSON.utf8))
    }
}

@Suite struct FakeGHLTests {
    func setUp(orders: Int) throws -> (TestStore, Source, FakeGHL, SyncEngine) {
        let test = try TestStore()
        let source = try test.addSource(locationId: "loc-\(UUID().uuidString)")
        let fake = FakeGHL(orders: orders)
        let engine = SyncEngine(store: test.store, environment: ["GHL_TEST_TOKEN": "pit"],
                                retry: RetryPolicy(maxAttempts: 1), transport: fake)
        return (test, source, fake, engine)
    }

    @Test func fullRunStoresJobsAndSweepsAndRevives() async throws {
        let (test, source, fake, engine) = try setUp(orders: 250)
        defer { test.cleanup() }
        let first = try await engine.runAll(RunRequest(sourceId: source.id, entities: [.orders, .pipelines], mode: .full))
        #expect(first.ok, "\(first.results.compactMap(\.error))")
        #expect(first.counts == ["orders": 250, "pipelines": 1])
        #expect(first.results[0].pages == 3 && first.results[0].requests == 3)
        #expect(try test.int("SELECT COUNT(*) FROM ghl_orders WHERE deleted_at IS NULL") == 250)
        #expect(try test.int("SELECT records_total FROM ghl_sync_jobs WHERE job_type = 'orders'") == 250)
        #expect(try test.int("SELECT COUNT(*) FROM ghl_pipelines WHERE stages LIKE '%s1%'") == 1)

        let removed = fake.state.withLock { $0.orders.remove(at: 7) }
        let second = try await engine.runAll(RunRequest(sourceId: source.id, entities: [.orders], mode: .incremental))
        #expect(second.ok)
        #expect(second.results[0].mode == .full)
        #expect(try test.int("SELECT COUNT(*) FROM ghl_orders WHERE deleted_at IS NOT NULL AND ghl_order_id = 'o7'") == 1)

        fake.state.withLock { $0.orders.append(removed) }
        _ = try await engine.runAll(RunRequest(sourceId: source.id, entities: [.orders], mode: .full))
        #expect(try test.int("SELECT COUNT(*) FROM ghl_orders WHERE deleted_at IS NULL") == 250)
        #expect(try test.int("SELECT COUNT(*) FROM sync_seen") == 0)
        #expect(try test.int("SELECT COUNT(*) FROM sync_leases") == 0)
    }

    @Test func aFailedRunResumesAfterItsLastCommittedPage() async throws {
        let (test, source, fake, engine) = try setUp(orders: 450)
        defer { test.cleanup() }
        fake.state.withLock { $0.failFrom = 3 }
        let failed = try await engine.runAll(RunRequest(sourceId: source.id, entities: [.orders], mode: .full))
        #expect(!failed.ok)
        #expect(failed.summary == "0 succeeded, 1 failed")
        #expect(failed.results[0].error?.contains("500") == true)
        #expect(failed.results[0].pages == 2)
        #expect(try test.int("SELECT COUNT(*) FROM ghl_orders") == 200)
        #expect(try test.int("SELECT COUNT(*) FROM ghl_sync_jobs WHERE status = 'failed' AND error IS NOT NULL") == 1)

        fake.state.withLock { $0.failFrom = nil; $0.requests = 0 }
        let resumed = try await engine.runAll(RunRequest(sourceId: source.id, entities: [.orders], mode: .full))
        #expect(resumed.ok)
        #expect(fake.state.withLock { $0.requests } == 3)
        #expect(resumed.results[0].pages == 5 && resumed.results[0].count == 450)
        #expect(try test.int("SELECT COUNT(*) FROM ghl_orders WHERE deleted_at IS NULL") == 450)
        let notes = try test.row("SELECT notes FROM ghl_sync_jobs ORDER BY id DESC")?["notes"] as String?
        #expect(notes?.contains("resumed") == true)
    }

    @Test func missingTokenFailsEveryJobClearly() async throws {
        let test = try TestStore()
        defer { test.cleanup() }
        let source = try test.addSource(locationId: "loc1", tokenEnv: "UNSET_TOKEN_VAR")
        let result = try await SyncEngine(store: test.store, environment: [:], transport: FakeGHL(orders: 1)).runAll(RunRequest(sourceId: source.id))
        #expect(result.summary == "0 succeeded, 6 failed")
        #expect(result.results.allSatisfy { $0.error?.contains("UNSET_TOKEN_VAR") == true })
        #expect(try test.int("SELECT COUNT(*) FROM ghl_sync_jobs WHERE status = 'failed'") == 6)
    }
}
