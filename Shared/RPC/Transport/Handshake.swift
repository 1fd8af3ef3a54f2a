import Crypto
import Wire

/// The connection handshake: the server sends a nonce, the client proves it knows the shared
/// secret with HMAC-SHA256(secret, "tradewind-rpc/v1" ‖ nonce), the server checks it in constant time.
/// The secret itself never crosses the wire.
public enum Handshake {
    /// The protocol version this build speaks.
    public static let protocolVersion: UInt32 = 1
    static let nonceBytes = 32
    static let context = Array("tradewind-rpc/v1".utf8)

    static func makeNonce() -> [UInt8] {
        var rng = SystemRandomNumberGenerator()
        return (0..<nonceBytes).map { _ in UInt8.random(in: .min ... .max, using: &rng) }
    }

    static func mac(secret: [UInt8], nonce: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: context + nonce, using: SymmetricKey(data: secret)))
    }

    static func verify(mac: [UInt8], secret: [UInt8], nonce: [UInt8]) -> Bool {
        HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: context + nonce, using: SymmetricKey(data: secret))
    }
}
