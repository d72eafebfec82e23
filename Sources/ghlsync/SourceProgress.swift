import GHLStore
import GHLSync
import Synchronization

/// The one row per source that `sync --all` shows: its entities' latest
/// progress summed while it runs, its result once it has ended.
final class SourceProgress: Sendable {
    private let latest = Mutex<[String: [Entity: SyncProgress]]>([:])

    /// A source's row name: its name and location (names need not be unique).
    static func label(_ source: Source) -> String { "\(source.name) (\(source.locationId))" }

    /// Notes `progress` and returns the running source's row.
    func row(after progress: SyncProgress, of source: Source) -> SyncProgressDisplay.Row {
        let all = latest.withLock { latest in
            latest[source.id, default: [:]][progress.entity] = progress
            return Array(latest[source.id]!.values)
        }
        let totals = all.compactMap(\.total)
        return SyncProgressDisplay.Row(
            state: .running, records: all.reduce(0) { $0 + $1.records }, pages: all.reduce(0) { $0 + $1.pages },
            requests: all.reduce(0) { $0 + $1.requests }, total: totals.count == all.count ? totals.reduce(0, +) : nil)
    }

    /// The row of a source whose run has ended.
    static func row(of outcome: SourceRunResult) -> SyncProgressDisplay.Row {
        let results = outcome.result?.results ?? []
        let failed = results.filter { !$0.ok }
        var row = SyncProgressDisplay.Row(state: outcome.ok ? .completed : .failed)
        row.records = results.reduce(0) { $0 + $1.count }
        row.pages = results.reduce(0) { $0 + $1.pages }
        row.requests = results.reduce(0) { $0 + $1.requests }
        if let error = outcome.error {
            row.error = error
        } else if let first = failed.first {
            row.error = "\(failed.count) of \(results.count) entities failed (\(first.entity.rawValue): \(first.error ?? "unknown error"))"
        }
        return row
    }
}
