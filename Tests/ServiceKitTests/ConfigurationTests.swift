import Foundation
import Logging
import RPC
import Store
import ServiceKit
import Testing

@Suite("Configuration sources and validation")
struct ConfigurationTests {
    @Test("flags beat the environment, which beats the file, which beats the defaults")
    func precedence() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tw-\(UUID()).json").path
        try #"{"rpc": {"port": 7001, "max_concurrent_streams": 64}, "admin.port": 7002, "log.level": "debug"}"#.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let (c, _) = try HostConfiguration.read(
            service: "risk", arguments: ["--config", file, "--rpc.port=7100", "--profile=development"],
            environment: ["TRADEWIND_RPC_PORT": "7050", "TRADEWIND_ADMIN_PORT": "7060"])
        #expect(c.rpc.port == 7100)  // flag
        #expect(c.adminPort == 7060)  // environment over file
        #expect(c.rpc.maxConcurrentStreams == 64)  // file over default
        #expect(c.logLevel == .debug)
        #expect(c.rpc.maxFrameBytes == 4 << 20)  // default
        #expect(c.postgres?.user == "risk")
        #expect(c.schema == "risk")
    }

    @Test("a bad value names the key, the value and where it came from", arguments: [
        (["--rpc.port=70000"], [String: String](), "rpc.port"),
        ([], ["TRADEWIND_RPC_PORT": "abc"], "rpc.port"),
        (["--log.level=loud"], [:], "log.level"),
        (["--rpc.secret=short"], [:], "rpc.secret"),
        (["--nope=1"], [:], "nope"),
        (["--redis.enabled=maybe"], [:], "redis.enabled"),
    ])
    func badValues(arguments: [String], environment: [String: String], key: String) throws {
        let error = #expect(throws: ConfigError.self) {
            _ = try HostConfiguration.read(service: "risk", arguments: arguments + ["--profile=development"], environment: environment)
        }
        #expect(error?.key == key)
        #expect(error?.description.contains(key) == true)
    }

    @Test("the environment value's source is named in the error")
    func sourceNamed() throws {
        let error = #expect(throws: ConfigError.self) {
            _ = try HostConfiguration.read(service: "risk", arguments: ["--profile=development"], environment: ["TRADEWIND_POSTGRES_PORT": "0"])
        }
        #expect(error?.message.contains("TRADEWIND_POSTGRES_PORT") == true)
    }
}

@Suite("Service identities")
struct ServiceIdentityTests {
    @Test("outside the development profile a service will not start without its own secret")
    func productionNeedsASecret() throws {
        let error = #expect(throws: ConfigError.self) { _ = try HostConfiguration.read(service: "execution", arguments: [], environment: [:]) }
        #expect(error?.key == "rpc.secret" && error?.message.contains("development") == true)
    }

    @Test("in production only listed callers get in, each with its own secret; no built-in secret works")
    func productionCallers() throws {
        let (c, _) = try HostConfiguration.read(
            service: "execution", arguments: ["--rpc.secret=execution-secret-0123456789"],
            environment: ["TRADEWIND_RPC_CALLERS": "risk=risk-secret-0123456789, gateway=gateway-secret-0123456789"])
        let callers = try #require(c.rpc.callers)
        #expect(c.rpc.secret == Array("execution-secret-0123456789".utf8) && !c.usesDevelopmentSecret)
        #expect(callers.secrets == ["risk": Array("risk-secret-0123456789".utf8), "gateway": Array("gateway-secret-0123456789".utf8)])
        #expect(callers.secrets["operator"] == nil)
    }

    @Test("the default allow-lists are the call graph: only risk submits orders, only the operator reaches the gateway's key methods")
    func defaultAllowLists() throws {
        let execution = try #require(try HostConfiguration.read(service: "execution", arguments: ["--profile=development"], environment: [:]).0.rpc.callers)
        #expect(execution.permits("risk", "Execution.SubmitOrder"))
        #expect(!execution.permits("gateway", "Execution.SubmitOrder") && !execution.permits("orchestrator", "Execution.SubmitOrder"))
        #expect(execution.permits("gateway", "Execution.GetAccount") && execution.permits("orchestrator", "Execution.CancelOrder"))
        #expect(execution.permits("indicators", "Diagnostics.Info") && !execution.permits("indicators", "Execution.GetAccount"))
        #expect(!execution.permits("stranger", "Diagnostics.Info"))
        #expect(execution.secrets["gateway"] == ServiceIdentities.developmentSecret("gateway"))
        let gateway = try #require(try HostConfiguration.read(service: "gateway", arguments: ["--profile=development"], environment: [:]).0.rpc.callers)
        #expect(gateway.permits("operator", "Gateway.CreateApiKey"))
        for caller in ["orchestrator", "risk", "execution", "market-data", "indicators"] { #expect(!gateway.permits(caller, "Gateway.CreateApiKey")) }
    }

    @Test("rpc.allow replaces a caller's rules and is checked; a bad rpc.callers entry is named without its secret")
    func overrides() throws {
        let (c, _) = try HostConfiguration.read(
            service: "risk", arguments: ["--profile=development", "--rpc.allow=gateway=Risk.GetKillSwitch,gateway=Diagnostics.*"], environment: [:])
        let risk = try #require(c.rpc.callers)
        #expect(risk.permits("gateway", "Risk.GetKillSwitch") && !risk.permits("gateway", "Risk.PlaceOrder"))
        #expect(risk.permits("orchestrator", "Risk.PlaceOrder"))
        let rule = #expect(throws: ConfigError.self) {
            _ = try HostConfiguration.read(service: "risk", arguments: ["--profile=development", "--rpc.allow=gateway=Risk"], environment: [:])
        }
        #expect(rule?.key == "rpc.allow")
        let entry = #expect(throws: ConfigError.self) {
            _ = try HostConfiguration.read(service: "risk", arguments: ["--profile=development", "--rpc.callers=hunter2-hunter2-hunter2"], environment: [:])
        }
        #expect(entry?.key == "rpc.callers" && entry?.message.contains("hunter2") == false)
    }
}

@Suite("Plugin registry")
struct PluginRegistryTests {
    @Test("a duplicate name is refused and an unknown one lists the known names")
    func registry() throws {
        var registry = PluginRegistry<String, PluginContext>(kind: "feed")
        try registry.register("simulated") { _ in "sim" }
        try registry.register("replay") { _ in "replay" }
        #expect(throws: PluginError.self) { try registry.register("simulated") { _ in "again" } }
        #expect(try registry.make("replay", context: PluginContext(serviceName: "md")) == "replay")
        let error = #expect(throws: PluginError.self) { try registry.make("binanse", context: PluginContext(serviceName: "md")) }
        #expect(error?.message.contains("replay, simulated") == true)
    }
}
