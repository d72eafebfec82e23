import Hummingbird
import GHLJSON

/// `GET /opportunities/search` (cursor `startAfter` + `startAfterId` in `meta`, or `page`),
/// `POST /opportunities/search` (the same records; see `SearchRequest`) and `GET /opportunities/pipelines`.
extension SandboxCore {
    func addOpportunityRoutes(to router: Router<BasicRequestContext>) {
        router.get("/opportunities/search") { request, _ in try await self.searchOpportunities(request) }
        router.post("/opportunities/search") { request, _ in try await self.search(.opportunities, request) }
        router.get("/opportunities/pipelines") { request, _ in try await self.listPipelines(request) }
    }

    private func searchOpportunities(_ request: Request) async throws -> Response {
        let locationParam = request.uri.queryParameters.first(of: ["location_id", "locationId"])
        let admission = try await admit(request, endpoint: "GET /opportunities/search", location: locationParam)
        let query = QueryReader(request: request, admission: admission)
        let limit = try query.int("limit", default: 20, in: 1...maxCursorPageSize)
        let page = try query.int("page", default: 1, in: 1...Int.max / maxCursorPageSize)
        let order = try query.oneOf("order", ["added_asc", "added_desc"]) ?? "added_asc"
        var filters = RecordFilters()
        if let status = try query.oneOf("status", ["open", "won", "lost", "abandoned", "all"]), status != "all" {
            filters.field("status", equals: status)
        }
        filters.field("pipelineId", equals: query.string("pipeline_id", "pipelineId"))
        filters.field("pipelineStageId", equals: query.string("pipeline_stage_id", "pipelineStageId"))
        filters.field("contactId", equals: query.string("contact_id", "contactId"))
        filters.field("assignedTo", equals: query.string("assigned_to", "assignedTo"))
        filters.field("id", equals: query.string("id"))
        filters.createdBetween(try query.time("date"), try query.time("endDate", endOfDay: true))
        filters.updatedSince(try query.updatedAfter())
        var pageQuery = PageQuery(ascending: order == "added_asc", limit: limit, filter: filters.combined)
        pageQuery.start = .offset((page - 1) * limit)
        if let start = try query.startAfter(.opportunities, in: dataset, ascending: pageQuery.ascending) { pageQuery.start = start }
        let result = dataset.page(.opportunities, location: admission.locationID, pageQuery)!
        var body = PageBody(records: result.records)
        body.write("{\"opportunities\":[")
        body.writeRecords(result.records, corruptFirst: admission.recordFault)
        var meta = JSONWriter()
        meta.beginObject()
        meta.field("total", result.total)
        meta.field("currentPage", page)
        if page > 1 { meta.field("prevPage", page - 1) }
        if result.hasMore, let last = result.records.last {
            var next = request.baseURL + "/opportunities/search?"
            let kept = request.uri.queryParameters.filter { !["startAfter", "startAfterId", "page"].contains(String($0.key)) }
            next += kept.map { "\($0.key)=\(String($0.value).addingQueryEscapes)" }.joined(separator: "&")
            next += "&startAfter=\(last.createdAtMs)&startAfterId=\(last.id)"
            meta.field("nextPageUrl", next)
            meta.field("startAfterId", last.id)
            meta.field("startAfter", last.createdAtMs)
            meta.field("nextPage", page + 1)
        }
        meta.endObject()
        body.write("],\"meta\":")
        body.write(meta.bytes)
        body.write(",\"aggregations\":{}}")
        return admission.respond(body.buffer)
    }

    private func listPipelines(_ request: Request) async throws -> Response {
        let locationParam = request.uri.queryParameters["locationId"].map(String.init)
        let admission = try await admit(request, endpoint: "GET /opportunities/pipelines", location: locationParam)
        let records = dataset.allRecords(.pipelines, location: admission.locationID)!
        var body = PageBody(records: records)
        body.write("{\"pipelines\":[")
        body.writeRecords(records, corruptFirst: admission.recordFault)
        body.write("]}")
        return admission.respond(body.buffer)
    }
}

extension String {
    /// Percent-escapes what may not appear raw in a query value.
    var addingQueryEscapes: String {
        var out = ""
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"), UInt8(ascii: ":"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF")
                out += "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0xF)])
            }
        }
        return out
    }
}
