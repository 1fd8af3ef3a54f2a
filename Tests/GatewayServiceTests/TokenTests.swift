import Foundation
import Testing

@testable import GatewayService

@Suite("Tokens")
struct TokenTests {
    @Test("base64url matches Foundation's base64 with the URL alphabet and no padding, both ways")
    func base64URLRoundTrip() {
        var rng = SystemRandomNumberGenerator()
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let reference = Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            #expect(Base64URL.encode(bytes) == reference)
            #expect(Base64URL.decode(Array(reference.utf8)) == bytes)
        }
        #expect(Base64URL.decode(Array("ab+c".utf8)) == nil)
        #expect(Base64URL.decode(Array("abcde".utf8)) == nil)
    }

    @Test("a signed token verifies (again from the cache); forged, tampered, re-headed and expired ones do not")
    func signAndVerify() throws {
        let signer = TokenSigner(secret: String(repeating: "s", count: 40))
        let claims = TokenSigner.Claims(sub: "u1", role: .trader, acct: "a1", iat: 100, exp: 1_000)
        let token = signer.sign(claims)
        #expect(try signer.verify(token, now: 500) == claims)
        #expect(try signer.verify(token, now: 500) == claims)
        #expect(throws: TokenSigner.Failure.expired) { try signer.verify(token, now: 1_000) }
        let other = TokenSigner(secret: String(repeating: "x", count: 40))
        #expect(throws: TokenSigner.Failure.badSignature) { try other.verify(token, now: 500) }
        var parts = token.split(separator: ".").map(String.init)
        let admin = TokenSigner.Claims(sub: "u1", role: .admin, acct: "a1", iat: 100, exp: 1_000)
        parts[1] = Base64URL.encode(Array(try JSONEncoder().encode(admin)))
        #expect(throws: TokenSigner.Failure.badSignature) { try signer.verify(parts.joined(separator: "."), now: 500) }
        parts = token.split(separator: ".").map(String.init)
        parts[0] = Base64URL.encode(Array(#"{"alg":"none","typ":"JWT"}"#.utf8))
        #expect(throws: TokenSigner.Failure.malformed) { try signer.verify(parts.joined(separator: "."), now: 500) }
        #expect(throws: TokenSigner.Failure.malformed) { try signer.verify("not a token", now: 500) }
    }
}
