import Strategies

/// JSON text re-emitted as JSON (parsed with the strategy language's reader), keys exactly as they
/// were: objects encode as dictionaries, whose keys the API encoder's snake_case conversion leaves
/// alone (it renames only the keys of keyed containers).
struct RawJSON: Encodable {
    let value: JSONValue

    init(text: String) { value = (try? JSONValue(parsing: text)) ?? .null }
    private init(_ value: JSONValue) { self.value = value }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch value {
        case .object(let o): try c.encode(o.mapValues(RawJSON.init))
        case .array(let a): try c.encode(a.map(RawJSON.init))
        case .number(let n): try c.encode(n)
        case .string(let s): try c.encode(s)
        case .bool(let b): try c.encode(b)
        case .null: try c.encodeNil()
        }
    }
}
