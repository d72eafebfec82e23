import Foundation
import GHLAPI
import GHLStore

/// One entity of one source: the seed's `poll-ghl-{entity}`.
///
/// Pages through GHL (the client fetches and maps the next pages while the
/// ones before are written) and commits whole pages, those that arrived during
/// the previous write, in one transaction together with the run's checkpoint,
/// the ids seen, the job's progress and the lease heartbeat. A run killed at
/// any point therefore resumes after its last committed page, and the file
/// never holds half a page.
///
/// Full listings end with the deletion sweep: stored rows whose ids the run
/// did not see get `deleted_at` (an upsert revives them if they come back).
/// Incremental runs fetch what changed since the watermark where GHL filters
/// by update time (contacts, opportunities), then compare GHL's total with the
/// live row count; only when they differ (something was deleted) does the
/// entity get a full listing and sweep.
///
/// Orders, transactions and reviews GHL filters only by creation time. An
/// incremental run lists the records created since the watermark, then makes
/// the same total check; updates of older records are not visible to it. They
/// arrive by the webhooks GHL sends for them (`OrderStatusUpdate`), and a full
/// listing reconciles everything else: an incremental run whose last full
/// listing of the entity began more than `SyncCursor.reconcileEvery` ago lists
/// everything. The deprecated contacts list and pipelines are always listed.
///
/// Trade-offs of incremental deletion detection: after an incremental listing
/// the store holds every record GHL has (the previous run was complete, and
/// everything changed or created since its start minus `SyncCursor.overlap`
/// was just fetched), so live rows minus GHL's total is exactly the number
/// deleted: equal counts prove there is nothing to sweep, at the price of one
/// extra request. A difference costs a full listing of that entity, as GHL
/// offers no cheaper way to learn which ids are gone; deletions arrive sooner
/// through webhooks (`ContactDelete`, `OpportunityDelete`). Offset paging
/// shifts when GHL deletes a record mid-run, so a record can be missed by one
/// run's sweep and marked deleted; the next full listing revives it.
///
/// A source's filter (`SyncFilter`) goes to GHL where the endpoint can apply
/// it, and is applied to every returned record before writing: records it
/// excludes are not written, and a stored row of one is marked out of scope.
/// The sweep marks an unseen row out of scope when the filter excludes its
/// stored state and deleted otherwise (a record that changed in GHL so that
/// the API-side filter no longer returns it cannot be told from a deleted one).
struct EntityPoller: Sendable {
    let entity: Entity
    let sourceId: String
    let filter: SyncFilter
    let store: any SyncStore
    let client: GHLClient
    let job: Int64
    let lease: SourceLease
    let onProgress: @Sendable (SyncJobProgress) -> Void

    /// What a finished poll reports.
    struct Outcome: Sendable {
        var progress: SyncJobProgress
        var mode: SyncMode
        var notes: [String]
    }

    static let problemsKept = 10
    /// Pages fetched ahead of the writer. While it stores one batch, GHL's
    /// next pages arrive and are mapped; they are then written together, so
    /// the index pages that every page of a listing touches (GHL ids are
    /// random) go to the WAL once per batch instead of once per page. Up to
    /// 16 contacts pages (8,000 rows) share those pages in one transaction:
    /// `bench agency --size large --unthrottled` ran up to 1.28x faster than
    /// with 4 (README, 2026-11-30).
    static let lookahead = 16
    /// Pages held at once by every poller of the process together, fetched
    /// ahead or waiting for the writer: what bounds a sync's memory, however
    /// many sources it runs (each listing's lookahead alone would let it grow
    /// with them). Enough for every location of a large agency to keep a
    /// request waiting for its rate budget, and for the pollers to fetch and
    /// map while the writer stores the pages before, and for the writer to
    /// find batches of many pages (`lookahead`) waiting: 260-315 MB at peak
    /// for 10 locations of 50,000 contacts, against 166-188 MB with 64 permits.
    static let pagesInFlight = PageBudget(permits: 160)
    /// An unfinished run older than this starts over: its cursor may no longer
    /// mean anything to GHL, and its watermark would be needlessly old.
    static let resumeWithin: TimeInterval = 86400

    /// The GHL resource of the entity (payments are GHL's transactions).
    var resource: GHLResource { GHLResource(entity) }

    var pushdown: SyncFilter.Pushdown { filter.pushdown(for: resource) }

    func run(mode: SyncMode, pageSize: Int?) async throws -> Outcome {
        var notes: [String] = []
        var cursor = try await SyncCursor.load(sourceId: sourceId, entity: entity, from: store)
        var run: SyncCursor.RunState
        if let unfinished = cursor.run, unfinished.mode == mode || unfinished.mode == .full,
           Date().timeIntervalSince(unfinished.startedAt) < Self.resumeWithin {
            run = unfinished
            notes.append("resumed the run of \(Timestamp.string(unfinished.startedAt)) after page \(unfinished.pages)")
        } else {
            let since = mode == .incremental ? incrementalBound(cursor, notes: &notes) : nil
            run = SyncCursor.RunState(startedAt: Date(), mode: mode, updatedSince: since)
            try await begin(&run, cursor: &cursor)
        }
        if !run.listed { try await list(&run, cursor: &cursor, pageSize: pageSize) }

        if run.updatedSince != nil, let reason = try await deletionSuspected() {
            notes.append("\(reason): listed everything to find deleted records")
            run.updatedSince = nil
            run.checkpoint = nil
            run.listed = false
            try await begin(&run, cursor: &cursor)
            try await list(&run, cursor: &cursor, pageSize: pageSize)
        }
        let swept = try await finish(run, cursor: &cursor)
        if let swept, swept > 0 { notes.append("\(swept) record\(swept == 1 ? "" : "s") no longer in GHL marked deleted") }
        if let blocked = run.sweepBlocked { notes.append("deletion sweep skipped: \(blocked)") }
        if let coerced = run.coerced, coerced > 0 {
            notes.append("stored \(coerced) record\(coerced == 1 ? "" : "s") with fields of an unexpected type, "
                         + "coerced where the meaning is clear and NULL otherwise: " + (run.coercions ?? []).joined(separator: "; "))
        }
        if run.skipped > 0 {
            notes.append("skipped \(run.skipped) malformed record\(run.skipped == 1 ? "" : "s"): " + run.problems.joined(separator: "; "))
        }
        return Outcome(progress: progress(run), mode: run.updatedSince == nil ? .full : .incremental, notes: notes)
    }

    /// Where an incremental run starts, or nil when it must list everything (with the reason in `notes`).
    private func incrementalBound(_ cursor: SyncCursor, notes: inout [String]) -> Date? {
        guard let watermark = cursor.watermark else {
            notes.append("no earlier successful run: listed everything")
            return nil
        }
        guard pushdown.isComplete else {
            notes.append("GHL applies only part of the filter, so its total cannot prove nothing was deleted: listed everything")
            return nil
        }
        switch resource.incrementalFilter {
        case .updatedAt:
            return watermark
        case .createdAt:
            guard let reconciled = cursor.reconciledAt, Date().timeIntervalSince(reconciled) < SyncCursor.reconcileEvery else {
                notes.append("\(resource.endpoint) filters only by creation time and had no full listing for "
                    + "\(Int(SyncCursor.reconcileEvery / 3600)) h: listed everything")
                return nil
            }
            notes.append("\(resource.endpoint) filters only by creation time: listed records created since "
                + "\(Timestamp.string(watermark)); older records changed since come by webhook or the next full listing")
            return watermark
        case .none:
            notes.append("\(resource.endpoint) cannot filter by update time: listed everything")
            return nil
        }
    }

    /// Records a new run (or phase); a full listing starts with no ids seen,
    /// and with none to remember when the entity has no live rows.
    private func begin(_ run: inout SyncCursor.RunState, cursor: inout SyncCursor) async throws {
        if run.updatedSince == nil, try await store.liveCount(entity, sourceId: sourceId) == 0 { run.startedEmpty = true }
        cursor.run = run
        try await store.beginSyncRun(entity, sourceId: sourceId, cursor: try cursor.encoded(), sweeping: run.updatedSince == nil)
    }

    private func list(_ run: inout SyncCursor.RunState, cursor: inout SyncCursor, pageSize: Int?) async throws {
        let sweeping = run.sweeps
        let requestsBefore = run.requests - client.counters.requests
        let batches = client.pageBatches(resource, pageSize: pageSize, updatedSince: run.updatedSince, filter: pushdown.filter,
                                         resumeFrom: run.checkpoint, lookahead: Self.lookahead,
                                         budget: Self.pagesInFlight) { [entity, filter] page in
            PreparedPage(page, entity: entity, filter: filter)
        }
        for try await batch in batches {
            // Stored (or failed): the batch's pages leave memory.
            defer { Self.pagesInFlight.release(batch.count) }
            var records: [EntityRecord] = []
            var excluded: [String] = []
            var seen: [String] = []
            for prepared in batch {
                let page = prepared.page
                records += prepared.rows
                excluded += prepared.excluded
                seen += prepared.seen
                for problem in page.malformed {
                    if let id = problem.id { seen.append(id) } else if sweeping {
                        run.sweepBlocked = "a skipped record had no id, so any stored row might be it"
                    }
                    if run.problems.count < Self.problemsKept { run.problems.append("page \(page.index + 1) \(problem)") }
                }
                if !prepared.coercions.isEmpty {
                    run.coerced = (run.coerced ?? 0) + prepared.coercions.count
                    let room = max(0, Self.problemsKept - (run.coercions?.count ?? 0))
                    run.coercions = (run.coercions ?? []) + prepared.coercions.prefix(room).map { "page \(page.index + 1) \($0)" }
                }
                run.records += prepared.rows.count
                run.pages += 1
                run.skipped += page.malformed.count
                run.checkpoint = page.checkpoint
                run.listed = page.isLast
                run.total = page.total ?? run.total
            }
            run.requests = requestsBefore + client.counters.requests
            cursor.run = run
            let progress = progress(run)
            try await store.commitSyncPage(Store.SyncPage(entity: entity, sourceId: sourceId, records: records, outOfScope: excluded,
                                                          seen: sweeping ? seen : nil, cursor: try cursor.encoded(), job: job,
                                                          progress: progress, lease: lease, rowsNew: run.startedEmpty == true))
            onProgress(progress)
        }
    }

    /// A page mapped to rows and sorted by the filter, in the client's
    /// lookahead, while the page before is being written.
    struct PreparedPage: Sendable {
        /// The page without its records (they are in `rows` now).
        var page: GHLPage
        var rows: [EntityRecord] = []
        /// Ids of records the filter excludes.
        var excluded: [String] = []
        /// Ids of every readable record of the page.
        var seen: [String]
        /// Records with fields of an unexpected type, and which.
        var coercions: [String] = []

        init(_ page: GHLPage, entity: Entity, filter: SyncFilter) {
            self.page = page
            seen = page.records.map(\.id)
            let keepsAll = filter.keepsAll(entity)
            rows.reserveCapacity(page.records.count)
            for (index, record) in page.records.enumerated() {
                if !record.unexpectedTypes.isEmpty {
                    coercions.append("record \(index) (\(record.id)): " + record.unexpectedTypes.joined(separator: ", "))
                }
                let row = RecordMapping.map(entity, record)
                if keepsAll || filter.keeps(entity, record.object, mapped: row) { rows.append(row) } else { excluded.append(row.ghlId) }
            }
            self.page.records = []
        }
    }

    /// After an incremental listing every record GHL has is stored, so more
    /// live rows than GHL's total means deletions (and fewer, a gap).
    private func deletionSuspected() async throws -> String? {
        guard let total = try await client.total(of: resource, filter: pushdown.filter) else { return "GHL reported no total" }
        let live = try await store.liveCount(entity, sourceId: sourceId)
        return total == live ? nil : "GHL has \(total) \(entity.rawValue), the store \(live) live"
    }

    /// Sweeps (full listings), moves the watermark and clears the run, in one
    /// transaction. Returns how many rows the sweep marked deleted.
    private func finish(_ run: SyncCursor.RunState, cursor: inout SyncCursor) async throws -> Int? {
        let reconciledAt = run.updatedSince == nil ? run.startedAt : cursor.reconciledAt
        cursor = SyncCursor(watermark: run.startedAt.addingTimeInterval(-SyncCursor.overlap), run: nil, reconciledAt: reconciledAt)
        let sweep = run.sweeps && run.sweepBlocked == nil
        return try await store.finishSyncRun(entity, sourceId: sourceId, cursor: try cursor.encoded(), sweep: sweep ? filter : nil)
    }

    private func progress(_ run: SyncCursor.RunState) -> SyncJobProgress {
        SyncJobProgress(records: run.records, pages: run.pages, requests: run.requests, total: run.total, skipped: run.skipped)
    }
}
