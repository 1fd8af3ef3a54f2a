import Crypto
import Foundation
import Synchronization

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
    private static let header = Base64URL.encode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
    /// Tokens whose signature was checked, with their claims: a token seen again costs a lookup,
    /// not an HMAC and a JSON decoding (expiry is still checked every time).
    private let verified = VerifiedTokens()

    init(secret: String) { key = SymmetricKey(data: Data(secret.utf8)) }

    func sign(_ claims: Claims) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let payload = Base64URL.encode((try? encoder.encode(claims)) ?? Data())
        let input = Self.header + "." + payload
        return input + "." + Base64URL.encode(Array(HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: key)))
    }

    /// The claims of a token this key signed that has not expired at `now` (Unix seconds).
    func verify(_ token: String, now: Int64) throws(Failure) -> Claims {
        let claims: Claims
        if let known = verified[token] {
            claims = known
        } else {
            let parts = token.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0].elementsEqual(Self.header.utf8), let signature = Base64URL.decode(parts[2]),
                let payload = Base64URL.decode(parts[1])
            else { throw .malformed }
            let signed = token.utf8[parts[0].startIndex..<parts[1].endIndex]
            guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: Array(signed), using: key) else { throw .badSignature }
            guard let decoded = try? JSONDecoder().decode(Claims.self, from: Data(payload)) else { throw .malformed }
            claims = decoded
            verified[token] = claims
        }
        guard claims.exp > now else { throw .expired }
        return claims
    }
}

/// A bounded map of verified tokens to their claims; emptied when full (tokens live minutes).
final class VerifiedTokens: Sendable {
    private let map = Mutex<[String: TokenSigner.Claims]>([:])
    static let capacity = 100_000

    subscript(token: String) -> TokenSigner.Claims? {
        get { map.withLock { $0[token] } }
        set {
            map.withLock { m in
                if m.count >= Self.capacity { m.removeAll(keepingCapacity: true) }
                m[token] = newValue
            }
        }
    }
}

/// Opaque random secrets (refresh tokens, API key secrets) and the hash stored in their place.
enum Secrets {
    static func random() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Base64URL.encode($0) }
    }

    /// SHA-256, hex: enough for 256-bit random secrets (a slow hash is for passwords).
    static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
