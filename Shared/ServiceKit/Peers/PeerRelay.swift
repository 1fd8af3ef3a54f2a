import RPC

/// Runs a call to a peer service: a refusal by the peer (bad argument, not found) passes through
/// with its status and says which peer refused; a peer that cannot be reached (or ran out of time)
/// becomes the caller's `unavailable` code naming it. Every service that calls peers relays this way.
public func relayPeer<R, Code: DomainErrorCode>(_ peer: String, unavailable code: Code, _ call: () async throws -> R) async throws -> R {
    do { return try await call() } catch let error as RPCError {
        switch error.code {
        case .unavailable, .deadlineExceeded, .cancelled: throw DomainError(code, "\(peer): \(error.message)")
        default: throw RPCError(code: error.code, message: "\(peer): \(error.message)", domainCode: error.domainCode)
        }
    }
}
