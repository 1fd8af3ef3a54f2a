import Foundation
import Wire

/// Raw settings merged from their sources, lowest first: defaults, then a JSON file, then the
/// environment, then command-line flags. Keys are dotted (`rpc.port`); the environment spells them
/// `TRADEWIND_RPC_PORT`, flags `--rpc.port=7001` or `--rpc.port 7001`.
///
/// Typed readers validate each value and name the key (and where it came from) when it is wrong.
public struct ConfigValues: Sendable {
    public private(set) var values: [String: (value: String, source: String)] = [:]
    /// Every key a reader has asked for; anything else given in a file or flag is an error.
    private let known: Set<String>

    /// Merges the sources. `known` lists every accepted key; `file` is a JSON object of key → value
    /// (nested objects flatten to dotted keys).
    public init(
        known: Set<String>, defaults: [String: String] = [:], file: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment, arguments: [String] = []
    ) throws(ConfigError) {
        self.known = known
        for (k, v) in defaults { values[k] = (v, "default") }
        if let file { try merge(file: file) }
        for key in known {
            let envName = "TRADEWIND_" + key.uppercased().replacingOccurrences(of: ".", with: "_")
            if let v = environment[envName] { values[key] = (v, "environment \(envName)") }
        }
        try merge(arguments: arguments)
    }

    private mutating func merge(file: String) throws(ConfigError) {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ConfigError(key: "config", message: "cannot read configuration file \(file)")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw ConfigError(key: "config", message: "\(file) is not a JSON object of settings")
        }
        func flatten(_ o: [String: Any], _ prefix: String) throws(ConfigError) {
            for (k, v) in o {
                let key = prefix.isEmpty ? k : "\(prefix).\(k)"
                switch v {
                case let nested as [String: Any]: try flatten(nested, key)
                case let s as String: try set(key, s, "file \(file)")
                case let b as Bool where isJSONBoolean(v): try set(key, b ? "true" : "false", "file \(file)")
                case let n as NSNumber: try set(key, n.stringValue, "file \(file)")
                default: throw ConfigError(key: key, message: "in \(file) must be a string, number or boolean")
                }
            }
        }
        try flatten(object, "")
    }

    private mutating func merge(arguments: [String]) throws(ConfigError) {
        var i = 0
        while i < arguments.count {
            let arg = arguments[i]
            guard arg.hasPrefix("--") else { throw ConfigError(key: arg, message: "is not a flag; settings are given as --key=value") }
            let body = arg.dropFirst(2)
            if let eq = body.firstIndex(of: "=") {
                try set(String(body[..<eq]), String(body[body.index(after: eq)...]), "flag")
            } else {
                guard i + 1 < arguments.count else { throw ConfigError(key: String(body), message: "needs a value: --\(body)=VALUE") }
                try set(String(body), arguments[i + 1], "flag")
                i += 1
            }
            i += 1
        }
    }

    private mutating func set(_ key: String, _ value: String, _ source: String) throws(ConfigError) {
        guard known.contains(key) else {
            throw ConfigError(key: key, message: "is not a setting (\(source)); known settings: \(known.sorted().joined(separator: ", "))")
        }
        values[key] = (value, source)
    }

    private func raw(_ key: String) -> (value: String, source: String)? {
        precondition(known.contains(key), "\(key) is read but not declared as a known setting")
        return values[key]
    }

    /// The text of `key`, or `fallback`.
    public func string(_ key: String, default fallback: String) -> String { raw(key)?.value ?? fallback }

    /// `key` as a whole number within `range`, or `fallback`.
    public func int(_ key: String, default fallback: Int, range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard let (text, source) = raw(key) else { return fallback }
        guard let v = Int(text) else { throw ConfigError(key: key, message: "\"\(text)\" (\(source)) is not a whole number") }
        guard range.contains(v) else { throw ConfigError(key: key, message: "\(v) (\(source)) is outside \(range.lowerBound)...\(range.upperBound)") }
        return v
    }

    /// `key` as a finite number within `range`, or `fallback`.
    public func double(_ key: String, default fallback: Double, range: ClosedRange<Double>) throws(ConfigError) -> Double {
        guard let (text, source) = raw(key) else { return fallback }
        guard let v = Double(text), v.isFinite else { throw ConfigError(key: key, message: "\"\(text)\" (\(source)) is not a number") }
        guard range.contains(v) else { throw ConfigError(key: key, message: "\(v) (\(source)) is outside \(range.lowerBound)...\(range.upperBound)") }
        return v
    }

    /// `key` as true/false (also 1/0, yes/no, on/off), or `fallback`.
    public func bool(_ key: String, default fallback: Bool) throws(ConfigError) -> Bool {
        guard let (text, source) = raw(key) else { return fallback }
        switch text.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw ConfigError(key: key, message: "\"\(text)\" (\(source)) is not true or false")
        }
    }

    /// One of `choices`.
    public func choice(_ key: String, default fallback: String, _ choices: [String]) throws(ConfigError) -> String {
        guard let (text, source) = raw(key) else { return fallback }
        guard choices.contains(text) else {
            throw ConfigError(key: key, message: "\"\(text)\" (\(source)) is not one of \(choices.joined(separator: ", "))")
        }
        return text
    }
}

extension ConfigValues {
    /// A secret (an API key or token) from the file `fileKey` names, else from the environment
    /// variable `variableKey` names (default `variable`); nil when neither gives one. A named file
    /// that cannot be read, or is empty, is an error: a key meant to be there is not silently left out.
    public func secret(
        fileKey: String, variableKey: String, variable: String, environment: [String: String] = ProcessInfo.processInfo.environment,
        readFile: (String) -> String? = { try? String(contentsOfFile: $0, encoding: .utf8) }
    ) throws(ConfigError) -> String? {
        if let file = values[fileKey]?.value {
            guard let text = readFile(file)?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else {
                throw ConfigError(key: fileKey, message: "= \(file) cannot be read or is empty")
            }
            return text
        }
        return environment[string(variableKey, default: variable)].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `key` as an http or https URL with a host, or `fallback`.
    public func url(_ key: String, default fallback: String) throws(ConfigError) -> URL {
        let text = string(key, default: fallback)
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host?.isEmpty == false else {
            throw ConfigError(key: key, message: "= \"\(text.prefix(60))\" must be an http or https URL with a host")
        }
        return url
    }
}

/// A setting that is missing, malformed or out of range.
public struct ConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The setting, e.g. `rpc.port`.
    public let key: String
    /// What is wrong with it, and where the value came from.
    public let message: String

    /// An error about `key`.
    public init(key: String, message: String) {
        self.key = key
        self.message = message
    }

    public var description: String { "configuration: \(key) \(message)" }
}
