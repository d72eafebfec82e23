import GHLStore
import HTTPTypes
import Hummingbird

/// `GET` and `HEAD /rest/v1/{view}`: the seven reporting views, answered as
/// PostgREST answers, scoped to the caller's sources.
extension HTTPFront {
    @Sendable func readView(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let view = try context.parameters.require("view")
        let parameters = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
        var query = try ViewQuery(view: view, columns: try views.columns(of: view), parameters: parameters)
        if let range = request.headers[.range] {
            try query.applyRange(range, limitGiven: parameters.contains { $0.0 == "limit" },
                                 offsetGiven: parameters.contains { $0.0 == "offset" })
        }
        let countTotal = request.headers[.prefer]?.contains("count=") ?? false
        let page = try await views.read(query, for: user, countTotal: countTotal)
        let answer = try RestAnswer(query: query, page: page, accept: request.headers[.accept])
        return answer.response(includingBody: request.method != .head)
    }
}

/// A page rendered as PostgREST renders it: the body in the format `Accept`
/// asked for, `Content-Range` always, 206 when a counted page is partial.
struct RestAnswer {
    enum Format { case json, object, csv }

    var status: HTTPResponse.Status
    var contentRange: String
    var format: Format
    var body: [UInt8]

    init(query: ViewQuery, page: ViewPage, accept: String?) throws {
        let rows = page.rows.rows.count
        let total = page.total.map(String.init) ?? "*"
        if let counted = page.total, query.offset > counted {
            throw ViewQueryError(.range, "Requested range not satisfiable",
                                 details: "An offset of \(query.offset) was requested, but there are only \(counted) rows.")
        }
        contentRange = rows == 0 ? "*/\(total)" : "\(query.offset)-\(query.offset + rows - 1)/\(total)"
        status = page.total.map { rows < $0 ? .partialContent : .ok } ?? .ok
        format = Self.format(accept)
        switch format {
        case .object:
            guard rows == 1 else {
                throw ViewQueryError(.notSingular, "Cannot coerce the result to a single JSON object",
                                     details: "The result contains \(rows) rows")
            }
            body = Array(page.rows.jsonData().dropFirst().dropLast())
        case .csv:
            body = Array(page.rows.csv().utf8)
        case .json:
            body = Array(page.rows.jsonData())
        }
    }

    /// The first format of `Accept` ghlsync can produce; JSON otherwise.
    private static func format(_ accept: String?) -> Format {
        for item in (accept ?? "").split(separator: ",") {
            switch item.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() {
            case "application/vnd.pgrst.object+json", "application/vnd.pgrst.object": return .object
            case "text/csv": return .csv
            case "application/json", "*/*": return .json
            default: continue
            }
        }
        return .json
    }

    func response(includingBody: Bool) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = switch format {
        case .json: "application/json; charset=utf-8"
        case .object: "application/vnd.pgrst.object+json; charset=utf-8"
        case .csv: "text/csv; charset=utf-8"
        }
        headers[.contentRange] = contentRange
        return Response(status: status, headers: headers,
                        body: includingBody ? .init(byteBuffer: ByteBuffer(bytes: body)) : .init())
    }
}

extension HTTPField.Name {
    static let prefer = HTTPField.Name("Prefer")!
}
