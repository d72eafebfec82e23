import Hummingbird

/// `GET /products/reviews`: offset paging with `total`, sortable by creation time or rating.
extension SandboxCore {
    func addReviewRoutes(to router: Router<BasicRequestContext>) {
        router.get("/products/reviews") { request, _ in try await self.listReviews(request) }
    }

    private func listReviews(_ request: Request) async throws -> Response {
        let location = request.uri.queryParameters["altId"].map(String.init)
        let admission = try await admit(request, endpoint: "GET /products/reviews", location: location)
        let query = QueryReader(request: request, admission: admission)
        guard try query.oneOf("altType", ["location"]) != nil else { throw admission.fail("altType must be location") }
        let limit = try query.int("limit", default: 20, in: 1...maxOffsetPageSize)
        let offset = try query.int("offset", default: 0, in: 0...Int.max)
        let sortField = try query.oneOf("sortField", ["createdAt", "rating"]) ?? "createdAt"
        let ascending = (try query.oneOf("sortOrder", ["asc", "desc"]) ?? "asc") == "asc"
        var filters = RecordFilters()
        filters.createdBetween(try query.time("startDate"), try query.time("endDate", endOfDay: true))
        filters.updatedSince(try query.updatedAfter())
        filters.field("productId", in: query.string("productId")?.split(separator: ",").map(String.init))
        filters.field("storeId", in: query.string("storeId")?.split(separator: ",").map(String.init))
        if query.string("rating") != nil {
            let rating = Double(try query.int("rating", default: 0, in: 1...5))
            filters.add { $0.parsed()["rating"]?.doubleValue == rating }
        }
        let page: Page
        if sortField == "createdAt" {
            page = dataset.page(
                .reviews, location: admission.locationID,
                PageQuery(start: .offset(offset), ascending: ascending, limit: limit, filter: filters.combined))!
        } else {
            var matches = dataset.allRecords(.reviews, location: admission.locationID)!
            if let filter = filters.combined { matches = matches.filter(filter) }
            let rated = matches.map { ($0.parsed()["rating"]?.doubleValue ?? 0, $0) }
            let sorted = rated.sorted { a, b in
                a.0 != b.0 ? (ascending ? a.0 < b.0 : a.0 > b.0) : a.1.key < b.1.key
            }.map(\.1)
            let start = min(offset, sorted.count)
            page = Page(records: Array(sorted[start..<min(start + limit, sorted.count)]), hasMore: false, total: sorted.count)
        }
        var body = PageBody(records: page.records)
        body.write("{\"data\":[")
        body.writeRecords(page.records, corruptFirst: admission.recordFault)
        body.write("],\"total\":\(page.total)}")
        return admission.respond(body.buffer)
    }
}
