import Foundation

/// Where and how a `Store` connects.
public struct StoreConfiguration: Sendable {
    public var host: String = "127.0.0.1"
    public var port: Int = 5432
    public var user: String = "postgres"
    /// Never logged.
    public var password: String = ""
    public var database: String = "tradewind"
    /// The schema queries resolve unqualified names in (`search_path`); nil leaves the role's default.
    public var schema: String?
    /// Connections (and worker threads) at most.
    public var poolSize: Int = 4
    public var connectTimeoutSeconds: Int = 5
    public var applicationName: String = "tradewind"

    public init() {}

    /// libpq's keyword=value connection string, values quoted and escaped.
    var conninfo: String {
        func q(_ v: String) -> String { "'" + v.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'" }
        var parts = [
            "host=\(q(host))", "port=\(port)", "user=\(q(user))", "dbname=\(q(database))",
            "connect_timeout=\(connectTimeoutSeconds)", "application_name=\(q(applicationName))",
        ]
        if !password.isEmpty { parts.append("password=\(q(password))") }
        if let schema { parts.append("options=\(q("-c search_path=\(schema)"))") }
        return parts.joined(separator: " ")
    }

    /// Checks every value; the message names the setting.
    public func validate() throws(StoreError) {
        func bad(_ m: String) -> StoreError { StoreError(code: .connectionFailed, message: m) }
        guard !host.isEmpty else { throw bad("postgres host must not be empty") }
        guard (1...65535).contains(port) else { throw bad("postgres port \(port) is outside 1...65535") }
        guard !user.isEmpty else { throw bad("postgres user must not be empty") }
        guard !database.isEmpty else { throw bad("postgres database must not be empty") }
        guard (1...256).contains(poolSize) else { throw bad("postgres poolSize \(poolSize) is outside 1...256") }
        if let schema { _ = try SQLIdentifier(schema) }
    }
}
