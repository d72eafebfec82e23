import Foundation
import Hummingbird

/// Refuses (400) a path that is not valid percent-encoding or that decodes to
/// a control character (`/app.js%00.html`), before any route or file lookup
/// can read it differently from how it was checked.
struct PathCharactersMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let path = request.uri.path.removingPercentEncoding,
              !path.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { throw APIError.badRequest("the path contains a control character or invalid percent-encoding") }
        return try await next(request, context)
    }
}
