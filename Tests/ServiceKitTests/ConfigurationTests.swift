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
            service: "risk", arguments: ["--config", file, "--rpc.port=7100"],
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
            _ = try HostConfiguration.read(service: "risk", arguments: arguments, environment: environment)
        }
        #expect(error?.key == key)
        #expect(error?.description.contains(key) == true)
    }

    @Test("the environment value's source is named in the error")
    func sourceNamed() throws {
        let error = #expect(throws: ConfigError.self) {
            _ = try HostConfiguration.read(service: "risk", arguments: [], environment: ["TRADEWIND_POSTGRES_PORT": "0"])
        }
        #expect(error?.message.contains("TRADEWIND_POSTGRES_PORT") == true)
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
