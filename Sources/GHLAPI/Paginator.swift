import Foundation
import Synchronization
import GHLJSON

extension GHLClient {
    /// Streams the records of `resource` page by page.
    ///
    /// Pages are fetched on demand with at most one page of lookahead: while
    /// the consumer stores page N, page N+1 is fetched and parsed, so HTTP,
    /// parsing and the store's writes overlap but memory holds two pages at most.
    ///
    /// - Parameters:
    ///   - pageSize: defaults to, and is capped at, `resource.maxPageSize`:
    ///     the fewest requests.
    ///   - updatedSince: pushed to the server where it can filter; see
    ///     `GHLResource.incrementalFilter` for which entities filter by update
    ///     time, which only by creation time, and which not at all.
    ///   - filter: server-side filters sent with every page.
    ///   - resumeFrom: a checkpoint of an earlier page of the same resource;
    ///     the run continues after it with that run's page size and filters
    ///     (a checkpoint of another resource fails the stream).
    public func pages(_ resource: GHLResource, pageSize: Int? = nil, updatedSince: Date? = nil, filter: GHLListFilter? = nil,
                      resumeFrom: PageCheckpoint? = nil) -> AsyncThrowingStream<GHLPage, any Error> {
        let lookahead = self.lookahead(resource, pageSize: pageSize, updatedSince: updatedSince, filter: filter,
                                       resumeFrom: resumeFrom, depth: 1) { $0 }
        return AsyncThrowingStream(unfolding: { try await lookahead.next() })
    }

    /// Streams the pages of `resource` in batches: each element is every page
    /// fetched (and passed through `prepare`) while the consumer handled the
    /// batch before, at least one, in order.
    ///
    /// Up to `lookahead` pages are fetched ahead of the consumer, one after
    /// the other (a page's cursor comes with the page before). `prepare` runs
    /// there, as soon as a page arrives: what the consumer does to every page
    /// before it can store it then overlaps with storing the pages before.
    /// A consumer slower than GHL (one writer storing a page with its indexes)
    /// thus gets several pages at once and can store them in one transaction.
    ///
    /// With a `budget`, each page also takes one of its permits before it is
    /// fetched; the consumer gives them back (`budget.release(batch.count)`)
    /// once it is done with a batch. Pages fetched but never handed out (the
    /// stream dropped early) give theirs back themselves. Where the location's
    /// rate limit can bind, a listing with more pages left gets permits first:
    /// the pages of a location's last window then are few and short.
    public func pageBatches<Prepared: Sendable>(
        _ resource: GHLResource, pageSize: Int? = nil, updatedSince: Date? = nil, filter: GHLListFilter? = nil,
        resumeFrom: PageCheckpoint? = nil, lookahead: Int, budget: PageBudget? = nil,
        prepare: @escaping @Sendable (GHLPage) throws -> Prepared
    ) -> AsyncThrowingStream<[Prepared], any Error> {
        let lookahead = self.lookahead(resource, pageSize: pageSize, updatedSince: updatedSince, filter: filter,
                                       resumeFrom: resumeFrom, depth: lookahead, budget: budget, prepare: prepare)
        return AsyncThrowingStream(unfolding: { try await lookahead.nextBatch() })
    }

    private func lookahead<Prepared: Sendable>(
        _ resource: GHLResource, pageSize: Int?, updatedSince: Date?, filter: GHLListFilter?,
        resumeFrom: PageCheckpoint?, depth: Int, budget: PageBudget? = nil,
        prepare: @escaping @Sendable (GHLPage) throws -> Prepared
    ) -> PageLookahead<Prepared> {
        let start: PageCheckpoint
        if let resumeFrom {
            guard resumeFrom.resource == resource else {
                let error = GHLAPIError(kind: .invalidRequest, endpoint: resource.endpoint, status: nil,
                                        message: "cannot resume \(resource.rawValue) from a \(resumeFrom.resource.rawValue) checkpoint",
                                        attempts: 0)
                return PageLookahead(failing: error)
            }
            start = resumeFrom.fitsPagingScheme ? resumeFrom : PageCheckpoint(
                resource: resource, cursor: nil, nextPageIndex: resumeFrom.nextPageIndex, pageSize: resumeFrom.pageSize,
                updatedSince: resumeFrom.updatedSince, filter: resumeFrom.filter, recordsSoFar: 0)
        } else {
            let size = min(max(pageSize ?? resource.maxPageSize, 1), resource.maxPageSize)
            start = PageCheckpoint(resource: resource, cursor: nil, nextPageIndex: 0, pageSize: size,
                                   updatedSince: resource.incrementalFilter == .none ? nil : updatedSince,
                                   filter: filter?.isEmpty == false ? filter : nil, recordsSoFar: 0)
        }
        return PageLookahead(start: start, depth: depth, budget: budget) { [self] position in
            // Longest listings first only where requests are scarce; elsewhere first come, first served.
            try await budget?.acquire(priority: await self.budget.paces == false ? 0 : position.remainingPages)
            do {
                let page = try await fetchPage(at: position)
                return (try prepare(page), page.checkpoint)
            } catch {
                budget?.release()
                throw error
            }
        }
    }

    /// GHL's total for a full listing of `resource` under `filter`, from one
    /// request for a one-record page (no lookahead: nothing else is fetched).
    public func total(of resource: GHLResource, filter: GHLListFilter? = nil) async throws -> Int? {
        let first = PageCheckpoint(resource: resource, cursor: nil, nextPageIndex: 0, pageSize: 1, updatedSince: nil,
                                   filter: filter?.isEmpty == false ? filter : nil, recordsSoFar: 0)
        return try await fetchPage(at: first).total
    }

    /// Fetches the page at `position` (a checkpoint whose cursor is nil for the first page).
    func fetchPage(at position: PageCheckpoint) async throws -> GHLPage {
        let resource = position.resource
        let limit = position.pageSize
        var query: [(String, String)] = []
        var body: JSONValue?
        switch resource {
        case .contacts:
            body = SearchBody(.contacts, locationId: locationId, position: position).json
        case .opportunities:
            body = SearchBody(.opportunities, locationId: locationId, position: position).json
        case .legacyContacts:
            query = [("locationId", locationId), ("limit", "\(limit)")]
            if case .startAfter(let after, let id) = position.cursor {
                query += [("startAfter", Self.queryValue(after)), ("startAfterId", id)]
            }
        case .pipelines:
            query = [("locationId", locationId)]
        case .orders, .transactions, .reviews:
            query = [("altId", locationId), ("altType", "location"), ("limit", "\(limit)")]
            if case .offset(let offset) = position.cursor { query.append(("offset", "\(offset)")) } else { query.append(("offset", "0")) }
            if resource == .reviews {
                query += [("sortField", "createdAt"), ("sortOrder", "asc")]
                if let since = position.updatedSince { query.append(("startDate", Self.isoTimestamp(since))) }
            } else if let since = position.updatedSince {
                query.append(("startAt", Self.isoDay(since)))
            }
        }
        query += position.filter?.query.map { ($0.name, $0.value) } ?? []
        let key = resource.recordsKey
        var json = try await send(method: resource.method, path: resource.path, query: query, body: body,
                                  endpoint: resource.endpoint, priority: position.remainingPages) { json in
            json[key]?.arrayValue == nil ? "no \"\(key)\" array" : nil
        }
        let elements = json[key]!.arrayValue!
        let total = (json["total"] ?? json["totalCount"] ?? json["count"] ?? json["meta"]?["total"])?.intValue
        let recordsSoFar = position.recordsSoFar + elements.count
        var next = position
        next.nextPageIndex += 1
        next.recordsSoFar = recordsSoFar
        next.total = total ?? position.total
        next.cursor = nextCursor(resource, position: position, json: json, elements: elements, total: total)
        // The records are `elements`' alone now: reading them can change them in place.
        json = .null
        let (records, malformed) = GHLRecord.read(consume elements, as: resource)
        return GHLPage(resource: resource, records: records, malformed: malformed, index: position.nextPageIndex,
                       total: total, checkpoint: next.cursor == nil ? nil : next)
    }

    /// The cursor of the page after this one, or nil when this is the last.
    private func nextCursor(_ resource: GHLResource, position: PageCheckpoint, json: JSONValue,
                            elements: [JSONValue], total: Int?) -> PageCheckpoint.Cursor? {
        let recordsSoFar = position.recordsSoFar + elements.count
        guard elements.count >= position.pageSize else { return nil }
        switch resource.pagingScheme {
        case .unpaged:
            return nil
        case .offset:
            if let total, recordsSoFar >= total { return nil }
            return .offset(recordsSoFar)
        case .searchAfter:
            // With an update filter a record changed while paging comes again
            // later, so the count may pass the total before the end.
            if position.updatedSince == nil, let total, recordsSoFar >= total { return nil }
            if let searchAfter = elements.last?["searchAfter"]?.arrayValue, !searchAfter.isEmpty {
                return .searchAfter(searchAfter)
            }
            if case .page(let page) = position.cursor { return .page(page + 1) }
            return .page(2)
        case .startAfterCursor:
            let meta = json["meta"]
            if meta?["nextPageUrl"] == .null { return nil }
            guard let after = meta?["startAfter"], !after.isNull, let id = meta?["startAfterId"]?.stringValue else {
                return nil
            }
            return .startAfter(after, id: id)
        }
    }

    static func queryValue(_ value: JSONValue) -> String {
        if let int = value.intValue { return String(int) }
        if let string = value.stringValue { return string }
        return value.canonicalJSON
    }

    static func isoTimestamp(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true)
            .timeSeparator(.colon).timeZone(separator: .omitted))
    }

    static func isoDay(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash))
    }
}

/// Fetches up to `depth` pages ahead of the consumer and hands them out in
/// order, singly or as many as are ready. Each fetch is a task that waits for
/// the one before (it needs that page's cursor); a failed fetch fails the
/// stream once the pages before it are handed out. Dropping the stream
/// cancels the fetches in flight, and gives back the budget's permits of
/// pages fetched but not handed out.
private actor PageLookahead<Prepared: Sendable> {
    typealias Fetched = (page: Prepared, next: PageCheckpoint?)
    typealias Fetch = @Sendable (PageCheckpoint) async throws -> Fetched

    /// One page's fetch; nil once the listing ended before it.
    ///
    /// A page's position usually comes with the page before (its cursor). In
    /// an offset listing whose total is known it follows from the position of
    /// the page before alone (`PageCheckpoint.predictedNext`): the page is
    /// then fetched at once, beside the ones before, and kept once the page
    /// before says the listing goes on.
    private final class Pending: Sendable {
        let task: Task<Fetched?, any Error>
        /// Where the page is, and whether that was predicted; known before its response.
        let located: Task<(position: PageCheckpoint, predicted: Bool)?, any Error>
        private let done: DoneFlag
        /// Whether the fetch has finished (taking its result will not wait).
        var isReady: Bool { done.value.load(ordering: .acquiring) }

        init(after previous: Pending?, from start: PageCheckpoint?, budget: PageBudget?, fetch: @escaping Fetch) {
            let done = DoneFlag()
            self.done = done
            let located = Task<(position: PageCheckpoint, predicted: Bool)?, any Error> {
                guard let previous else { return start.map { ($0, false) } }
                if let predicted = try await previous.located.value?.position.predictedNext { return (predicted, true) }
                return try await previous.task.value?.next.map { ($0, false) }
            }
            self.located = located
            task = Task {
                defer { done.value.store(true, ordering: .releasing) }
                guard let (position, predicted) = try await located.value else { return nil }
                guard predicted, let previous else { return try await fetch(position) }
                let fetched: Result<Fetched, any Error>
                do { fetched = .success(try await fetch(position)) } catch { fetched = .failure(error) }
                // Only a page before that ended the listing early (its total changed) makes this one void.
                guard try await previous.task.value?.next != nil else {
                    if case .success = fetched { budget?.release() }
                    return nil
                }
                return try fetched.get()
            }
        }

        func cancel() {
            located.cancel()
            task.cancel()
        }
    }

    private let fetch: Fetch?
    private let depth: Int
    private let budget: PageBudget?
    private var queue: [Pending] = []
    private var last: Pending?
    private var failure: (any Error)?

    init(start: PageCheckpoint, depth: Int, budget: PageBudget?, fetch: @escaping Fetch) {
        self.fetch = fetch
        self.depth = max(depth, 1)
        self.budget = budget
        var pending = Pending(after: nil, from: start, budget: budget, fetch: fetch)
        queue = [pending]
        for _ in 1..<self.depth {
            pending = Pending(after: pending, from: nil, budget: budget, fetch: fetch)
            queue.append(pending)
        }
        last = pending
    }

    /// A stream that fails at once.
    init(failing error: any Error) {
        fetch = nil
        depth = 1
        budget = nil
        failure = error
    }

    deinit { Self.drop(queue, budget: budget) }

    func next() async throws -> Prepared? {
        try await take(upTo: 1).first
    }

    /// The next page and every page after it that is already fetched; nil at the end.
    func nextBatch() async throws -> [Prepared]? {
        let batch = try await take(upTo: depth)
        return batch.isEmpty ? nil : batch
    }

    private func take(upTo limit: Int) async throws -> [Prepared] {
        if let failure { throw failure }
        var batch: [Prepared] = []
        while batch.count < limit, let head = queue.first, batch.isEmpty || head.isReady {
            let result = await withTaskCancellationHandler { await head.task.result } onCancel: { head.cancel() }
            switch result {
            case .success(let fetched?):
                queue.removeFirst()
                append()
                batch.append(fetched.page)
                if fetched.next == nil { end() }
            case .success(nil):
                end()
            case .failure(let error):
                end()
                guard batch.isEmpty else {
                    failure = error
                    return batch
                }
                throw error
            }
        }
        return batch
    }

    private func append() {
        guard let fetch, let last else { return }
        let pending = Pending(after: last, from: nil, budget: budget, fetch: fetch)
        queue.append(pending)
        self.last = pending
    }

    /// The listing ended (or failed): nothing more is fetched.
    private func end() {
        Self.drop(queue, budget: budget)
        queue.removeAll()
        last = nil
    }

    /// Cancels fetches that will not be handed out; those that got their page
    /// anyway give its permit back.
    private static func drop(_ pending: [Pending], budget: PageBudget?) {
        for fetch in pending { fetch.cancel() }
        guard let budget, !pending.isEmpty else { return }
        Task {
            for fetch in pending where (try? await fetch.task.value) != nil { budget.release() }
        }
    }
}

private final class DoneFlag: Sendable {
    let value = Atomic<Bool>(false)
}
