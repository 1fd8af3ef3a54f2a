import Foundation

/// A response view the OpenAPI document can describe: `example` is encoded once through
/// `SchemaEncoder`, which records the JSON Schema of what the API encoder would write for it (keys
/// in snake_case, optionals not required, objects closed). The schema comes from the view's own
/// `Encodable` conformance, so it cannot drift from what the gateway sends.
protocol ResponseExample: Encodable {
    /// Any value of the view; its optionals and collections may be empty (their types are read
    /// from the declaration).
    static var example: Self { get }
}

/// What a route answers on success, as the OpenAPI document describes it.
struct ResponseSchema: Sendable {
    /// The body's media type.
    let mediaType: String
    private let make: @Sendable () -> [String: Any]

    /// The JSON Schema of the body.
    var schema: [String: Any] { make() }

    /// A body that is one `T`.
    static func of<T: ResponseExample>(_ type: T.Type) -> ResponseSchema {
        ResponseSchema(mediaType: "application/json") { SchemaEncoder.schema(ofType: T.self) ?? [:] }
    }

    /// `{"<key>": [T]}`.
    static func list<T: ResponseExample>(_ key: String, of type: T.Type) -> ResponseSchema {
        ResponseSchema(mediaType: "application/json") {
            ["type": "object", "additionalProperties": false, "required": [key], "properties": [key: ["type": "array", "items": SchemaEncoder.schema(ofType: T.self) ?? [:]]]]
        }
    }

    /// Any JSON object (a caller's own settings).
    static let anyObject = ResponseSchema(mediaType: "application/json") { ["type": "object"] }

    /// Server-Sent Events named `event`, each carrying one `T` as JSON in its data (OpenAPI 3.1
    /// describes an event stream's schema one event at a time).
    static func events<T: ResponseExample>(_ event: String, of type: T.Type) -> ResponseSchema {
        ResponseSchema(mediaType: "text/event-stream") {
            [
                "type": "object", "required": ["event", "data"],
                "properties": [
                    "event": ["const": event],
                    "data": ["type": "string", "contentMediaType": "application/json", "contentSchema": SchemaEncoder.schema(ofType: T.self) ?? [:]],
                ],
            ]
        }
    }
}

/// An `Encoder` that writes no bytes: it records the JSON Schema of the value encoded through it.
struct SchemaEncoder {
    /// The schema of `value` as `JSONBody.encoder` writes it.
    static func schema<T: Encodable>(of value: T) -> [String: Any] {
        if let known = schema(ofType: T.self, example: false) { return known }
        let recorder = Recorder()
        try? value.encode(to: recorder)
        return recorder.node.schema
    }

    /// The schema of any `T`, from its type alone where that is enough (scalars, arrays,
    /// dictionaries, `ResponseExample`s); nil otherwise.
    static func schema<T>(ofType type: T.Type) -> [String: Any]? { schema(ofType: type, example: true) }

    private static func schema<T>(ofType type: T.Type, example: Bool) -> [String: Any]? {
        switch type {
        case is String.Type: return ["type": "string"]
        case is Bool.Type: return ["type": "boolean"]
        case is Double.Type, is Float.Type: return ["type": "number"]
        case is Int32.Type, is UInt32.Type: return ["type": "integer"]
        // Wider integers are promised within JavaScript's exact range (`ApiContractTests` checks the answers).
        case is Int.Type, is Int64.Type, is UInt64.Type: return ["type": "integer", "minimum": -maxSafeInteger, "maximum": maxSafeInteger]
        case is RawJSON.Type: return ["description": "Any JSON, as stored"]
        default: break
        }
        if let described = type as? any SchemaDescribed.Type { return described.jsonSchema }
        if let array = type as? any SchemaArray.Type { return ["type": "array", "items": array.elementSchema] }
        if let dictionary = type as? any SchemaDictionary.Type { return ["type": "object", "additionalProperties": dictionary.valueSchema] }
        if example, let view = type as? any ResponseExample.Type { return exampleSchema(view) }
        return nil
    }

    private static func exampleSchema<T: ResponseExample>(_ type: T.Type) -> [String: Any] {
        let recorder = Recorder()
        try? T.example.encode(to: recorder)
        return recorder.node.schema
    }

    /// The JSON key the API encoder writes for a Swift property name (`JSONEncoder`'s
    /// `convertToSnakeCase`: a word starts at an upper-case letter after a lower-case one, or at the
    /// last capital of a run followed by a lower-case letter).
    static func snakeCase(_ name: String) -> String {
        let characters = Array(name)
        var out = ""
        for (i, c) in characters.enumerated() {
            if c.isUppercase, i > 0 {
                let previousLower = !characters[i - 1].isUppercase && characters[i - 1] != "_"
                let endsRun = characters[i - 1].isUppercase && i + 1 < characters.count && characters[i + 1].isLowercase
                if previousLower || endsRun { out.append("_") }
            }
            out.append(contentsOf: c.lowercased())
        }
        return out
    }

    /// The schema being built for one value.
    fileprivate final class Node {
        var schema: [String: Any] = [:]
        var properties: [String: Any] = [:]
        var required: [String] = []
        var isObject = false

        func finish() {
            guard isObject else { return }
            schema = ["type": "object", "additionalProperties": false, "properties": properties]
            if !required.isEmpty { schema["required"] = required.sorted() }
        }
    }

    fileprivate final class Recorder: Encoder {
        let node = Node()
        var codingPath: [any CodingKey] = []
        var userInfo: [CodingUserInfoKey: Any] = [:]

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            node.isObject = true
            node.finish()
            return KeyedEncodingContainer(KeyedRecorder<Key>(node: node))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer { UnkeyedRecorder(node: node) }
        func singleValueContainer() -> any SingleValueEncodingContainer { SingleRecorder(node: node) }
    }

    private struct KeyedRecorder<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let node: Node
        var codingPath: [any CodingKey] = []

        private func record(_ key: Key, _ schema: [String: Any], required: Bool) {
            let name = SchemaEncoder.snakeCase(key.stringValue)
            node.properties[name] = schema
            if required { node.required.append(name) }
            node.finish()
        }

        mutating func encodeNil(forKey key: Key) throws { record(key, ["type": "null"], required: true) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { record(key, SchemaEncoder.schema(of: value), required: true) }
        mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) { optional(value, key) }
        // The standard library's defaults skip a nil without a trace; each is spelled out so an
        // absent optional is still described.
        mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) { optional(value, key) }
        mutating func encodeIfPresent(_ value: String?, forKey key: Key) { optional(value, key) }
        mutating func encodeIfPresent(_ value: Double?, forKey key: Key) { optional(value, key) }
        mutating func encodeIfPresent(_ value: Float?, forKey key: Key) { optional(value, key) }
        mutating func encodeIfPresent(_ value: Int?, forKey key: Key) { optional(value, key) }
        mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) { optional(value, key) }
        mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) { optional(value, key) }
        mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) { optional(value, key) }
        mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) { optional(value, key) }
        mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) { optional(value, key) }
        mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) { optional(value, key) }
        mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) { optional(value, key) }
        mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) { optional(value, key) }
        mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) { optional(value, key) }

        /// An optional: not required; its schema from the value, or from its type when nil.
        private func optional<T: Encodable>(_ value: T?, _ key: Key) {
            record(key, value.map { SchemaEncoder.schema(of: $0) } ?? SchemaEncoder.schema(ofType: T.self) ?? [:], required: false)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            let child = Node()
            child.isObject = true
            child.finish()
            record(key, [:], required: true)
            return KeyedEncodingContainer(KeyedRecorder<NestedKey>(node: child))
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            record(key, ["type": "array"], required: true)
            return UnkeyedRecorder(node: Node())
        }
        mutating func superEncoder() -> any Encoder { Recorder() }
        mutating func superEncoder(forKey key: Key) -> any Encoder { Recorder() }
    }

    /// An array encoded element by element: its items take the first element's schema.
    private struct UnkeyedRecorder: UnkeyedEncodingContainer {
        let node: Node
        var codingPath: [any CodingKey] = []
        var count = 0

        init(node: Node) {
            self.node = node
            node.schema = ["type": "array"]
        }

        private mutating func add(_ schema: [String: Any]) {
            if count == 0 { node.schema["items"] = schema }
            count += 1
        }
        mutating func encodeNil() throws { add(["type": "null"]) }
        mutating func encode<T: Encodable>(_ value: T) throws { add(SchemaEncoder.schema(of: value)) }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            let child = Node()
            child.isObject = true
            child.finish()
            add([:])
            return KeyedEncodingContainer(KeyedRecorder<NestedKey>(node: child))
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            add(["type": "array"])
            return UnkeyedRecorder(node: Node())
        }
        mutating func superEncoder() -> any Encoder { Recorder() }
    }

    private struct SingleRecorder: SingleValueEncodingContainer {
        let node: Node
        var codingPath: [any CodingKey] = []
        mutating func encodeNil() throws { node.schema = ["type": "null"] }
        mutating func encode<T: Encodable>(_ value: T) throws { node.schema = SchemaEncoder.schema(of: value) }
    }
}

/// Arrays whose element type alone gives their items' schema.
private protocol SchemaArray {
    static var elementSchema: [String: Any] { get }
}

extension Array: SchemaArray {
    fileprivate static var elementSchema: [String: Any] { SchemaEncoder.schema(ofType: Element.self) ?? [:] }
}

/// Dictionaries with string keys: JSON objects with any keys.
private protocol SchemaDictionary {
    static var valueSchema: [String: Any] { get }
}

extension Dictionary: SchemaDictionary where Key == String {
    fileprivate static var valueSchema: [String: Any] { SchemaEncoder.schema(ofType: Value.self) ?? [:] }
}
