import Hummingbird
import GHLJSON

/// `GET /contacts/` (deprecated, cursor `startAfter` + `startAfterId`) and `POST /contacts/search`
/// (page numbers up to 10,000 records deep, then the `searchAfter` cursor).
extension SandboxCore {
    func addContactRoutes(to router: Router<BasicRequestContext>) {
        router.get("/contacts") { request, _ in try await self.listContacts(request) }
        router.post("/contacts/search") { request, _ in try await self.search(.contacts, request) }
    }

    private func listContacts(_ request: Request) async throws -> Response {
        let locationParam = request.uri.queryParameters["locationId"].map(String.init)
        let admission = try await admit(request, endpoint: "GET /contacts/", location: locationParam)
        let query = QueryReader(request: request, admission: admission)
        let limit = try query.int("limit", default: 20, in: 1...maxCursorPageSize)
        var filters = RecordFilters()
        filters.updatedSince(try query.updatedAfter())
        var pageQuery = PageQuery(limit: limit, filter: filters.combined)
        if let start = try query.startAfter(.contacts, in: dataset, ascending: pageQuery.ascending) { pageQuery.start = start }
        let page = dataset.page(.contacts, location: admission.locationID, pageQuery)!
        var body = PageBody(records: page.records)
        body.write("{\"contacts\":[")
        body.writeRecords(page.records, corruptFirst: admission.recordFault)
        body.write("],\"count\":\(page.total),")
        var meta = JSONWriter()
        meta.beginObject()
        meta.field("total", page.total)
        if page.hasMore, let last = page.records.last {
            var next = "\(request.baseURL)/contacts/?locationId=\(admission.locationID)&limit=\(limit)"
            next += "&startAfter=\(last.createdAtMs)&startAfterId=\(last.id)"
            if let since = query.string("updatedAfter") { next += "&updatedAfter=\(since)" }
            meta.field("nextPageUrl", next)
            meta.field("startAfterId", last.id)
            meta.field("startAfter", last.createdAtMs)
        }
        meta.endObject()
        body.write("\"meta\":")
        body.write(meta.bytes)
        body.write("}")
        return admission.respond(body.buffer)
    }
}
