import CProtobufC
import Foundation
import TradewindProto

/// Protobuf messages to and from JSON (proto3 JSON mapping: lowerCamelCase names, 64-bit integers
/// as strings, enums by name, bytes as base64), for any contract message, driven by protobuf-c's
/// own descriptors. For tools (`tradewind call`), not hot paths.
public enum ProtoJSON {
    /// Encodes the JSON object `json` as a message of `type`.
    public static func encode(json: String, as type: any ProtoMessage.Type) throws(WireError) -> [UInt8] {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed])
        } catch {
            throw WireError(code: .invalidJSON, message: "not valid JSON: \(error.localizedDescription)")
        }
        guard let dict = object as? [String: Any] else { throw WireError(code: .invalidJSON, message: "a message must be a JSON object") }
        let descriptor = type.cDescriptor
        return try WireArena.with { arena throws(WireError) -> [UInt8] in
            let message = try build(dict, descriptor, arena, path: String(cString: descriptor.pointee.name))
            let size = protobuf_c_message_get_packed_size(message)
            return [UInt8](unsafeUninitializedCapacity: size) { out, n in n = size == 0 ? 0 : protobuf_c_message_pack(message, out.baseAddress!) }
        }
    }

    /// Decodes `bytes` as a message of `type` and renders it as pretty JSON.
    public static func decode(_ bytes: [UInt8], as type: any ProtoMessage.Type) throws(WireError) -> String {
        let descriptor = type.cDescriptor
        let object = try WireArena.with { arena throws(WireError) -> [String: Any] in
            var allocator = arena.allocator
            let message = bytes.withUnsafeBufferPointer { protobuf_c_message_unpack(descriptor, &allocator, $0.count, $0.baseAddress ?? UnsafePointer(bitPattern: 1)) }
            guard let message else { throw WireError.malformed(type.protoName, length: bytes.count) }
            return render(UnsafeRawPointer(message), descriptor)
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    // MARK: JSON -> C struct

    private static func build(
        _ dict: [String: Any], _ d: UnsafePointer<ProtobufCMessageDescriptor>, _ arena: WireArena, path: String
    ) throws(WireError) -> UnsafeMutablePointer<ProtobufCMessage> {
        let raw = arena.allocate(bytes: d.pointee.sizeof_message)
        d.pointee.message_init(raw.assumingMemoryBound(to: ProtobufCMessage.self))
        var byName: [String: UnsafePointer<ProtobufCFieldDescriptor>] = [:]
        for i in 0..<Int(d.pointee.n_fields) {
            let f = d.pointee.fields + i
            let name = String(cString: f.pointee.name)
            byName[name] = f
            byName[lowerCamel(name)] = f
        }
        for (key, value) in dict {
            guard let f = byName[key] else {
                throw WireError(code: .invalidJSON, message: "\(path) has no field \"\(key)\"; fields: \(fieldNames(d).joined(separator: ", "))")
            }
            let fieldPath = "\(path).\(key)"
            if value is NSNull { continue }
            let member = raw + Int(f.pointee.offset)
            if f.pointee.label == PROTOBUF_C_LABEL_REPEATED {
                guard let items = value as? [Any] else { throw WireError(code: .invalidJSON, message: "\(fieldPath) must be an array") }
                let size = elementSize(f)
                let storage = arena.allocate(bytes: max(1, size * items.count))
                for (i, item) in items.enumerated() { try store(item, f, at: storage + i * size, arena, path: "\(fieldPath)[\(i)]") }
                (raw + Int(f.pointee.quantifier_offset)).storeBytes(of: items.count, as: Int.self)
                member.storeBytes(of: storage, as: UnsafeMutableRawPointer.self)
            } else {
                try store(value, f, at: member, arena, path: fieldPath)
                if f.pointee.flags & UInt32(PROTOBUF_C_FIELD_FLAG_ONEOF.rawValue) != 0 {
                    (raw + Int(f.pointee.quantifier_offset)).storeBytes(of: f.pointee.id, as: UInt32.self)
                }
            }
        }
        return raw.assumingMemoryBound(to: ProtobufCMessage.self)
    }

    private static func store(_ value: Any, _ f: UnsafePointer<ProtobufCFieldDescriptor>, at p: UnsafeMutableRawPointer, _ arena: WireArena, path: String) throws(WireError) {
        let isBool = isJSONBoolean(value)
        func number() throws(WireError) -> NSNumber {
            if let n = value as? NSNumber, !isBool { return n }
            if let s = value as? String, let d = Double(s) { return NSNumber(value: d) }
            if let s = value as? String, s == "NaN" || s == "Infinity" || s == "-Infinity" { return NSNumber(value: Double(s)!) }
            throw WireError(code: .invalidJSON, message: "\(path) must be a number")
        }
        func integer<T: FixedWidthInteger>(_: T.Type) throws(WireError) -> T {
            if let s = value as? String, let v = T(s) { return v }
            if let n = value as? NSNumber, !isBool, let v = T(exactly: n.doubleValue), Double(v) == n.doubleValue { return v }
            throw WireError(code: .invalidJSON, message: "\(path) must be an integer within \(T.min)...\(T.max)")
        }
        switch f.pointee.type {
        case PROTOBUF_C_TYPE_INT32, PROTOBUF_C_TYPE_SINT32, PROTOBUF_C_TYPE_SFIXED32: p.storeBytes(of: try integer(Int32.self), as: Int32.self)
        case PROTOBUF_C_TYPE_UINT32, PROTOBUF_C_TYPE_FIXED32: p.storeBytes(of: try integer(UInt32.self), as: UInt32.self)
        case PROTOBUF_C_TYPE_INT64, PROTOBUF_C_TYPE_SINT64, PROTOBUF_C_TYPE_SFIXED64: p.storeBytes(of: try integer(Int64.self), as: Int64.self)
        case PROTOBUF_C_TYPE_UINT64, PROTOBUF_C_TYPE_FIXED64: p.storeBytes(of: try integer(UInt64.self), as: UInt64.self)
        case PROTOBUF_C_TYPE_DOUBLE: p.storeBytes(of: try number().doubleValue, as: Double.self)
        case PROTOBUF_C_TYPE_FLOAT: p.storeBytes(of: try number().floatValue, as: Float.self)
        case PROTOBUF_C_TYPE_BOOL:
            guard isBool, let b = value as? Bool else { throw WireError(code: .invalidJSON, message: "\(path) must be true or false") }
            p.storeBytes(of: b ? 1 : 0, as: Int32.self)
        case PROTOBUF_C_TYPE_ENUM:
            let e = UnsafeRawPointer(f.pointee.descriptor).assumingMemoryBound(to: ProtobufCEnumDescriptor.self)
            if let name = value as? String {
                guard let v = protobuf_c_enum_descriptor_get_value_by_name(e, name) else {
                    let names = (0..<Int(e.pointee.n_values)).map { String(cString: e.pointee.values[$0].name) }
                    throw WireError(code: .invalidJSON, message: "\(path): \"\(name)\" is not one of \(names.joined(separator: ", "))")
                }
                p.storeBytes(of: v.pointee.value, as: Int32.self)
            } else {
                p.storeBytes(of: try integer(Int32.self), as: Int32.self)
            }
        case PROTOBUF_C_TYPE_STRING:
            guard let s = value as? String else { throw WireError(code: .invalidJSON, message: "\(path) must be a string") }
            p.storeBytes(of: try arena.cString(s, field: "JSON string"), as: UnsafeMutablePointer<CChar>.self)
        case PROTOBUF_C_TYPE_BYTES:
            guard let s = value as? String, let data = Data(base64Encoded: s) else {
                throw WireError(code: .invalidJSON, message: "\(path) must be base64 text")
            }
            p.storeBytes(of: arena.binary(Array(data)), as: ProtobufCBinaryData.self)
        case PROTOBUF_C_TYPE_MESSAGE:
            let sub = UnsafeRawPointer(f.pointee.descriptor).assumingMemoryBound(to: ProtobufCMessageDescriptor.self)
            guard let dict = value as? [String: Any] else { throw WireError(code: .invalidJSON, message: "\(path) must be an object") }
            p.storeBytes(of: try build(dict, sub, arena, path: path), as: UnsafeMutablePointer<ProtobufCMessage>.self)
        default:
            throw WireError(code: .invalidJSON, message: "\(path) has a field type JSON cannot set")
        }
    }

    private static func elementSize(_ f: UnsafePointer<ProtobufCFieldDescriptor>) -> Int {
        switch f.pointee.type {
        case PROTOBUF_C_TYPE_INT64, PROTOBUF_C_TYPE_SINT64, PROTOBUF_C_TYPE_SFIXED64, PROTOBUF_C_TYPE_UINT64,
            PROTOBUF_C_TYPE_FIXED64, PROTOBUF_C_TYPE_DOUBLE:
            8
        case PROTOBUF_C_TYPE_STRING, PROTOBUF_C_TYPE_MESSAGE: MemoryLayout<UnsafeRawPointer>.size
        case PROTOBUF_C_TYPE_BYTES: MemoryLayout<ProtobufCBinaryData>.size
        default: 4
        }
    }

    // MARK: C struct -> JSON

    private static func render(_ m: UnsafeRawPointer, _ d: UnsafePointer<ProtobufCMessageDescriptor>) -> [String: Any] {
        var out: [String: Any] = [:]
        for i in 0..<Int(d.pointee.n_fields) {
            let f = d.pointee.fields + i
            let name = lowerCamel(String(cString: f.pointee.name))
            let member = m + Int(f.pointee.offset)
            if f.pointee.label == PROTOBUF_C_LABEL_REPEATED {
                let n = (m + Int(f.pointee.quantifier_offset)).load(as: Int.self)
                guard n > 0, let base = member.load(as: UnsafeRawPointer?.self) else { continue }
                let size = elementSize(f)
                out[name] = (0..<n).map { value(base + $0 * size, f) }
                continue
            }
            if f.pointee.flags & UInt32(PROTOBUF_C_FIELD_FLAG_ONEOF.rawValue) != 0 {
                guard (m + Int(f.pointee.quantifier_offset)).load(as: UInt32.self) == f.pointee.id else { continue }
            }
            if f.pointee.type == PROTOBUF_C_TYPE_MESSAGE, member.load(as: UnsafeRawPointer?.self) == nil { continue }
            out[name] = value(member, f)
        }
        return out
    }

    private static func value(_ p: UnsafeRawPointer, _ f: UnsafePointer<ProtobufCFieldDescriptor>) -> Any {
        switch f.pointee.type {
        case PROTOBUF_C_TYPE_INT32, PROTOBUF_C_TYPE_SINT32, PROTOBUF_C_TYPE_SFIXED32: return p.load(as: Int32.self)
        case PROTOBUF_C_TYPE_UINT32, PROTOBUF_C_TYPE_FIXED32: return p.load(as: UInt32.self)
        case PROTOBUF_C_TYPE_INT64, PROTOBUF_C_TYPE_SINT64, PROTOBUF_C_TYPE_SFIXED64: return String(p.load(as: Int64.self))
        case PROTOBUF_C_TYPE_UINT64, PROTOBUF_C_TYPE_FIXED64: return String(p.load(as: UInt64.self))
        case PROTOBUF_C_TYPE_DOUBLE:
            let v = p.load(as: Double.self)
            return v.isFinite ? v as Any : "\(v)"
        case PROTOBUF_C_TYPE_FLOAT: return p.load(as: Float.self)
        case PROTOBUF_C_TYPE_BOOL: return p.load(as: Int32.self) != 0
        case PROTOBUF_C_TYPE_ENUM:
            let v = p.load(as: Int32.self)
            let e = UnsafeRawPointer(f.pointee.descriptor).assumingMemoryBound(to: ProtobufCEnumDescriptor.self)
            return protobuf_c_enum_descriptor_get_value(e, v).map { String(cString: $0.pointee.name) as Any } ?? v
        case PROTOBUF_C_TYPE_STRING:
            return p.load(as: UnsafePointer<CChar>?.self).map { String(cString: $0) } ?? ""
        case PROTOBUF_C_TYPE_BYTES:
            let b = p.load(as: ProtobufCBinaryData.self)
            return Data(b.len > 0 ? Array(UnsafeBufferPointer(start: b.data, count: b.len)) : []).base64EncodedString()
        case PROTOBUF_C_TYPE_MESSAGE:
            let sub = UnsafeRawPointer(f.pointee.descriptor).assumingMemoryBound(to: ProtobufCMessageDescriptor.self)
            guard let m = p.load(as: UnsafeRawPointer?.self) else { return [String: Any]() }
            return render(m, sub)
        default: return NSNull()
        }
    }

    private static func fieldNames(_ d: UnsafePointer<ProtobufCMessageDescriptor>) -> [String] {
        (0..<Int(d.pointee.n_fields)).map { lowerCamel(String(cString: d.pointee.fields[$0].name)) }
    }

    static func lowerCamel(_ snake: String) -> String {
        let parts = snake.split(separator: "_", omittingEmptySubsequences: false)
        return parts.enumerated().map { $0.offset == 0 ? String($0.element) : $0.element.prefix(1).uppercased() + $0.element.dropFirst() }.joined()
    }
}

/// Whether a JSONSerialization value is a JSON boolean. On Linux booleans arrive as NSNumber and an
/// integer 0 or 1 also passes `is Bool`, so the number's C type tells them apart ("c" for booleans).
public func isJSONBoolean(_ value: Any) -> Bool {
    if type(of: value) == Bool.self { return true }
    if let n = value as? NSNumber { return String(cString: n.objCType) == "c" }
    return false
}

extension ProtoMessage {
    /// protobuf-c's descriptor of this message.
    public static var cDescriptor: UnsafePointer<ProtobufCMessageDescriptor> {
        withUnsafeTemporaryAllocation(of: CMessage.self, capacity: 1) { buf in
            _cInit(buf.baseAddress!)
            return UnsafeRawPointer(buf.baseAddress!).assumingMemoryBound(to: ProtobufCMessage.self).pointee.descriptor
        }
    }
}
