import Foundation
import JWTKit

/// The claims of an access token, named as Supabase Auth names them, so a
/// client that decodes a Supabase JWT finds the same fields.
struct AccessClaims: JWTPayload {
    static let issuer = "ghlsync"
    static let audience = "authenticated"

    var sub: SubjectClaim
    var sessionId: String
    var email: String
    var role: String
    var iss: IssuerClaim
    var aud: AudienceClaim
    var iat: IssuedAtClaim
    var exp: ExpirationClaim

    enum CodingKeys: String, CodingKey {
        case sub, email, role, iss, aud, iat, exp
        case sessionId = "session_id"
    }

    init(userId: String, sessionId: String, email: String, issuedAt: Date, expiresAt: Date) {
        sub = SubjectClaim(value: userId)
        self.sessionId = sessionId
        self.email = email
        role = Self.audience
        iss = IssuerClaim(value: Self.issuer)
        aud = AudienceClaim(value: Self.audience)
        iat = IssuedAtClaim(value: issuedAt)
        exp = ExpirationClaim(value: expiresAt)
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
        try aud.verifyIntendedAudience(includes: Self.audience)
        guard iss.value == Self.issuer else { throw AuthError.invalidToken }
    }
}
