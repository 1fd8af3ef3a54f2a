import Crypto
import Foundation

/// Access tokens: JWTs (RFC 7519) signed with HMAC-SHA256 under the configured key (`auth.jwt_secret`).
/// The header is fixed (`{"alg":"HS256","typ":"JWT"}`) and checked byte for byte, so no token can
/// choose its own algorithm ("alg":"none" and key-confusion forgeries are refused by construction).
struct TokenSigner: Sendable {
    struct Claims: Codable, Sendable, Hashable {
        var sub: String
        var role: Role
        var acct: String
        var iat: Int64
        var exp: Int64
    }

    enum Failure: Error, Equatable {
        case malformed, badSignature, expired
    }

    private let key: SymmetricKey
    private static let header = base64URL(Data(#"{"alg":"HS256","typ":"JWT"}"#.utf8))

    init(secret: String) { key = SymmetricKey(data: Data(secret.utf8)) }

    func sign(_ claims: Claims) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let payload = Self.base64URL((try? encoder.encode(claims)) ?? Data())
        let input = Self.header + "." + payload
        return input + "." + Self.base64URL(Data(HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: key)))
    }

    /// The claims of a token this key signed that has not expired at `now` (Unix seconds).
    func verify(_ token: String, now: Int64) throws(Failure) -> Claims {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == Self.header, let signature = Self.data(base64URL: parts[2]),
            let payload = Self.data(base64URL: parts[1])
        else { throw .malformed }
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: Data("\(parts[0]).\(parts[1])".utf8), using: key) else {
            throw .badSignature
        }
        guard let claims = try? JSONDecoder().decode(Claims.self, from: payload) else { throw .malformed }
        guard claims.exp > now else { throw .expired }
        return claims
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func data(base64URL text: Substring) -> Data? {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s)
    }
}

/// Opaque random secrets (refresh tokens, API key secrets) and the hash stored in their place.
enum Secrets {
    static func random() -> String {
        TokenSigner.base64URL(SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) })
    }

    /// SHA-256, hex: enough for 256-bit random secrets (a slow hash is for passwords).
    static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
