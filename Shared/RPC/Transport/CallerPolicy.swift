/// Who may call a server, and which methods: each caller by name with the secret it proves in its
/// hello (its own, not one shared by everyone), and the methods it may call: `Service.Method`,
/// `Service.*` or `*`. A caller not listed is refused at the handshake; a method not allowed
/// answers `permission_denied` naming the caller and the method.
public struct CallerPolicy: Sendable, Hashable {
    /// Caller name → the secret it proves.
    public var secrets: [String: [UInt8]]
    /// Caller name → the methods it may call.
    public var allowed: [String: Set<String>]

    /// A policy of `secrets` and `allowed` methods.
    public init(secrets: [String: [UInt8]], allowed: [String: Set<String>]) {
        self.secrets = secrets
        self.allowed = allowed
    }

    /// Whether `caller` may call `method` (`Service.Method`).
    public func permits(_ caller: String, _ method: String) -> Bool {
        guard let rules = allowed[caller], !rules.isEmpty else { return false }
        if rules.contains("*") || rules.contains(method) { return true }
        guard let dot = method.firstIndex(of: ".") else { return false }
        return rules.contains(method[..<dot] + ".*")
    }

    /// Every caller's secret is long enough, and every rule names a method or a service's methods.
    public func validate() throws(RPCError) {
        for (caller, secret) in secrets where secret.count < 16 {
            throw RPCError(code: .invalidArgument, message: "the secret of caller \"\(caller)\" must be at least 16 bytes (got \(secret.count))")
        }
        for (caller, rules) in allowed {
            for rule in rules where !(rule == "*" || Self.isRule(rule)) {
                throw RPCError(code: .invalidArgument, message: "allow rule \"\(rule)\" for \"\(caller)\" is not Service.Method, Service.* or *")
            }
        }
    }

    private static func isRule(_ rule: String) -> Bool {
        let parts = rule.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty && parts[0].allSatisfy { $0.isLetter || $0.isNumber }
            && (parts[1] == "*" || parts[1].allSatisfy { $0.isLetter || $0.isNumber })
    }
}
