/// The stable failure codes of one service (`execution.unknown_account`, …), each naming the RPC
/// status it answers with.
public protocol DomainErrorCode: RawRepresentable, Hashable, Sendable where RawValue == String {
    /// The wire status a failure of this kind answers with.
    var status: RPCError.Code { get }
}

/// A service's failure: a stable code for programs and a message a person can act on. Services
/// name theirs with a typealias (`typealias ExecutionError = DomainError<ExecutionErrorCode>`),
/// so every service's errors print, log and cross the wire the same way.
public struct DomainError<Code: DomainErrorCode>: RPCErrorConvertible, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure, for programs.
    public var code: Code
    /// What was wrong, for people.
    public var message: String

    /// An error of `code`.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `<code>: <message>`.
    public var description: String { "\(code.rawValue): \(message)" }

    /// The RPC status of the code, the code itself in `domainCode`; the message leads with it too,
    /// for people and for logs.
    public var rpcError: RPCError { RPCError(code: code.status, message: description, domainCode: code.rawValue) }
}
