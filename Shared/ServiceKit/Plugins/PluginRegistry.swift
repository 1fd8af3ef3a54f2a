/// Plugins of one kind (feeds, agents, brokers, ...) by name: a registry of factories, passed in as
/// a value. Registering a name twice is a programming error; asking for an unknown name is a
/// configuration error that lists the known names. `Context` is what a factory builds from (a
/// service passes its own: a feed needs the instrument catalog; `PluginContext` is the plain one).
public struct PluginRegistry<Plugin, Context>: Sendable {
    public typealias Factory = @Sendable (Context) throws -> Plugin

    private var factories: [String: Factory] = [:]
    /// What the plugins are, for messages ("feed", "broker").
    public let kind: String

    public init(kind: String) { self.kind = kind }

    /// Names registered so far, sorted.
    public var names: [String] { factories.keys.sorted() }

    /// Adds a factory under `name`; throws when the name is taken.
    public mutating func register(_ name: String, _ factory: @escaping Factory) throws(PluginError) {
        guard factories[name] == nil else {
            throw PluginError(message: "a \(kind) named \"\(name)\" is already registered")
        }
        factories[name] = factory
    }

    /// Builds the plugin configured as `name`.
    public func make(_ name: String, context: Context) throws -> Plugin {
        guard let factory = factories[name] else {
            throw PluginError(message: "unknown \(kind) \"\(name)\"; known: \(names.joined(separator: ", "))")
        }
        return try factory(context)
    }
}

/// What a plugin gets to build itself: its settings and a logger.
public struct PluginContext: Sendable {
    public let settings: [String: String]
    public let serviceName: String

    public init(settings: [String: String] = [:], serviceName: String) {
        self.settings = settings
        self.serviceName = serviceName
    }
}

/// A plugin registration or lookup that cannot be satisfied.
public struct PluginError: Error, Hashable, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { "plugin: \(message)" }
}
