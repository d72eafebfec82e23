import Hummingbird

/// `GET /payments/orders` and `GET /payments/transactions`: offset paging with `totalCount`.
extension SandboxCore {
    func addPaymentRoutes(to router: Router<BasicRequestContext>) {
        router.get("/payments/orders") { request, _ in try await self.listPayments(.orders, request) }
        router.get("/payments/transactions") { request, _ in try await self.listPayments(.transactions, request) }
    }

    private func listPayments(_ entity: SandboxEntity, _ request: Request) async throws -> Response {
        let params = request.uri.queryParameters
        let location = (params["altId"] ?? params["locationId"]).map(String.init)
        let admission = try await admit(request, endpoint: "GET /payments/\(entity.rawValue)", location: location)
        let query = QueryReader(request: request, admission: admission)
        let altType = try query.oneOf("altType", ["location"])
        if entity == .transactions, altType == nil { throw admission.fail("altType must be location") }
        let limit = try query.int("limit", default: 10, in: 1...maxOffsetPageSize)
        let offset = try query.int("offset", default: 0, in: 0...Int.max)
        var filters = RecordFilters()
        filters.createdBetween(try query.time("startAt"), try query.time("endAt", endOfDay: true))
        filters.updatedSince(try query.updatedAfter())
        filters.field("contactId", equals: query.string("contactId"))
        if let mode = try query.oneOf("paymentMode", ["live", "test"]) {
            let live = mode == "live"
            filters.add { $0.parsed()["liveMode"] == .bool(live) }
        }
        if entity == .orders {
            filters.field("status", equals: query.string("status"))
            filters.field("paymentStatus", equals: try query.oneOf("paymentStatus", ["paid", "unpaid", "refunded", "partially_paid"]))
            filters.field("sourceId", equals: query.string("sourceId"))
        } else {
            filters.field("entityId", equals: query.string("entityId"))
            filters.field("subscriptionId", equals: query.string("subscriptionId"))
            filters.field("entitySourceType", equals: query.string("entitySourceType"))
            filters.field("entitySourceSubType", equals: query.string("entitySourceSubType"))
        }
        let page = dataset.page(entity, location: admission.locationID, PageQuery(start: .offset(offset), limit: limit, filter: filters.combined))!
        var body = PageBody(records: page.records)
        body.write("{\"data\":[")
        body.writeRecords(page.records, corruptFirst: admission.recordFault)
        body.write("],\"totalCount\":\(page.total)}")
        return admission.respond(body.buffer)
    }
}
