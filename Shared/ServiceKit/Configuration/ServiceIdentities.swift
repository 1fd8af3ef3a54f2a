import Foundation
import RPC

/// Which start-up rules hold. `production` (what reading configuration assumes) refuses to start a
/// service without its own `rpc.secret`; `development` lets the six services and the operator's
/// tools use built-in secrets, which are public, so only a machine's private run may use them
/// (`scripts/run.sh` selects it explicitly with `--profile=development`).
public enum Profile: String, Sendable, Hashable, CaseIterable {
    case development, production
}

/// Service identities and the call graph. Every service proves its own secret when it calls
/// another (the handshake's HMAC; the secret never crosses the wire), and every server keeps, for
/// each caller it accepts, that caller's secret and the methods it may call. The defaults below
/// are ARCHITECTURE's call graph and nothing more: only risk submits orders to execution, only the
/// operator reaches the gateway's user and key methods, everyone may ask `Diagnostics` how a
/// service is.
public enum ServiceIdentities {
    /// The name each caller gives in its hello: the six services and the operator's `tradewind` tools.
    public static let names = ["market-data", "indicators", "execution", "risk", "orchestrator", "gateway", operatorName]
    /// The operator's tools (`tradewind call`, `tradewind admin`, benches).
    public static let operatorName = "operator"

    /// The built-in secret of `name`, accepted only in the development profile.
    public static func developmentSecret(_ name: String) -> [UInt8] { Array("tradewind-dev-secret-\(name)".utf8) }

    /// Who may call `server`, and what, by default.
    public static func defaultAllowList(server: String) -> [String: Set<String>] {
        var rules: [String: Set<String>] = [operatorName: ["*"]]
        func allow(_ caller: String, _ methods: [String]) { rules[caller, default: []].formUnion(methods) }
        let services = names.filter { $0 != operatorName }
        for caller in services { allow(caller, ["Diagnostics.*"]) }
        switch server {
        case "market-data":
            for caller in services where caller != "market-data" { allow(caller, ["MarketData.*"]) }
        case "execution":
            let reads = ["GetAccount", "GetEquityHistory", "GetOrder", "ListOrders", "ListPositions", "ListTrades", "StreamOrderEvents"]
            allow("gateway", (reads + ["CreateAccount"]).map { "Execution.\($0)" })
            allow("orchestrator", (reads + ["CancelOrder"]).map { "Execution.\($0)" })
            allow("risk", ["Execution.*"])
        case "risk":
            let trading = ["PlaceOrder", "CheckOrder", "SizePosition", "GetExposure", "GetLimits", "GetKillSwitch", "StreamAlerts"]
            allow("gateway", (trading + ["SetKillSwitch"]).map { "Risk.\($0)" })
            allow("orchestrator", trading.map { "Risk.\($0)" })
        case "orchestrator":
            allow("gateway", ["Orchestrator.*"])
        default:
            break  // indicators and gateway: the operator only (and Diagnostics)
        }
        return rules
    }

    /// `name=secret,name=secret` (`rpc.callers`).
    static func parseCallers(_ text: String) throws(ConfigError) -> [String: [UInt8]] {
        var secrets: [String: [UInt8]] = [:]
        for (i, entry) in text.split(separator: ",").enumerated() {
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty else {
                // The entry itself is not quoted: it may hold a secret.
                throw ConfigError(key: "rpc.callers", message: "entry \(i + 1) is not name=secret; list callers as gateway=<secret>,risk=<secret>")
            }
            guard parts[1].utf8.count >= 16 else {
                throw ConfigError(key: "rpc.callers", message: "the secret of \(parts[0]) must have at least 16 characters")
            }
            secrets[parts[0]] = Array(parts[1].utf8)
        }
        return secrets
    }

    /// `caller=Rule,caller=Rule` (`rpc.allow`): each caller named replaces its default rules.
    static func parseAllow(_ text: String, over defaults: [String: Set<String>]) throws(ConfigError) -> [String: Set<String>] {
        var given: [String: Set<String>] = [:]
        for entry in text.split(separator: ",") {
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ConfigError(key: "rpc.allow", message: "\"\(entry.prefix(60))\" is not caller=Service.Method (or Service.*, or *)")
            }
            given[parts[0], default: []].insert(parts[1])
        }
        var rules = defaults
        for (caller, methods) in given { rules[caller] = methods }
        do { try CallerPolicy(secrets: [:], allowed: rules).validate() } catch {
            throw ConfigError(key: "rpc.allow", message: error.message)
        }
        return rules
    }
}
