import Foundation

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
        let start: PageCheckpoint
        if let resumeFrom {
            guard resumeFrom.resource == resource else {
                let error = GHLAPIError(kind: .invalidRequest, endpoint: resource.endpoint, status: nil,
                                        message: "cannot resume \(resource.rawValue) from a \(resumeFrom.resource.rawValue) checkpoint",
                                        attempts: 0)
                return AsyncThrowingStream { $0.finish(throwing: error) }
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
        let lookahead = PageLookahead(start: start) { [self] position in try await fetchPage(at: position) }
        return AsyncThrowingStream(unfolding: { try await lookahead.next() })
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
        let json = try await send(method: resource.method, path: resource.path, query: query, body: body,
                                  endpoint: resource.endpoint, priority: position.remainingPages) { json in
            json[key]?.arrayValue == nil ? "no \"\(key)\" array" : nil
        }
        let elements = json[key]!.arrayValue!
        let (records, malformed) = GHLRecord.read(elements, as: resource)
        let total = (json["total"] ?? json["totalCount"] ?? json["count"] ?? json["meta"]?["total"])?.intValue
        let recordsSoFar = position.recordsSoFar + elements.count
        var next = position
        next.nextPageIndex += 1
        next.recordsSoFar = recordsSoFar
        next.total = total ?? position.total
        next.cursor = nextCursor(resource, position: position, json: json, elements: elements, total: total)
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

/// Hands out pages one at a time, fetching the next while the current one
/// is being consumed. Dropping the stream cancels the fetch in flight.
private actor PageLookahead {
    private let fetch: @Sendable (PageCheckpoint) async throws -> GHLPage
    private var upcoming: Task<GHLPage, any Error>?
    private var position: PageCheckpoint?

    init(start: PageCheckpoint, fetch: @escaping @Sendable (PageCheckpoint) async throws -> GHLPage) {
        self.position = start
        self.fetch = fetch
    }

    deinit { upcoming?.cancel() }

    func next() async throws -> GHLPage? {
        let task: Task<GHLPage, any Error>
        if let upcoming {
            task = upcoming
        } else if let position {
            let fetch = self.fetch
            task = Task { try await fetch(position) }
        } else {
            return nil
        }
        upcoming = nil
        position = nil
        let page = try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() }
        if let checkpoint = page.checkpoint {
            position = checkpoint
            let fetch = self.fetch
            upcoming = Task { try await fetch(checkpoint) }
        }
        return page
    }
}
