import HTTPTypes
import Hummingbird

/// `GET /rest/v1/{view}`: the seven reporting views, PostgREST style, scoped to the caller.
extension HTTPFront {
    @Sendable func readView(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let view = try context.parameters.require("view")
        let columns = try views.columns(of: view)
        let parameters = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
        let query = try RestQuery(view: view, columns: columns, parameters: parameters)
        if let sourceFilter = query.filters.first(where: { $0.column == "source_id" && ($0.op == .eq || $0.op == .in) }) {
            // Naming a source you lack is refused outright rather than answered with nothing.
            for id in sourceFilter.values where user.role(on: id) == nil {
                throw APIError.forbidden("no access to source \(id)")
            }
        }
        let countTotal = request.headers[.prefer]?.contains("count=exact") ?? false
        let page = try await views.read(query, for: user, countTotal: countTotal)
        var headers = HTTPFields()
        let range = page.rowCount == 0 ? "*" : "\(query.offset)-\(query.offset + page.rowCount - 1)"
        headers[.contentRange] = "\(range)/\(page.total.map(String.init) ?? "*")"
        return JSONBody.raw(page.json, headers: headers)
    }
}

extension HTTPField.Name {
    static let prefer = HTTPField.Name("Prefer")!
}
