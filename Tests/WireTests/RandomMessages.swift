import CProtobufC
import Foundation
import TradingCore
import TradewindProto
import Wire

/// Random messages of any contract type, built from protobuf-c's descriptors as JSON objects and
/// encoded by protobuf-c itself (through `ProtoJSON`): the C side is the reference.
struct RandomMessages {
    var rng: SplitMix64

    mutating func object(_ d: UnsafePointer<ProtobufCMessageDescriptor>, depth: Int = 0) -> [String: Any] {
        var out: [String: Any] = [:]
        var oneofChosen = Set<UInt32>()
        for i in 0..<Int(d.pointee.n_fields) {
            let f = d.pointee.fields + i
            if rng.next() % 3 == 0 { continue }
            if f.pointee.flags & UInt32(PROTOBUF_C_FIELD_FLAG_ONEOF.rawValue) != 0 {
                guard oneofChosen.insert(f.pointee.quantifier_offset).inserted else { continue }
            }
            let name = String(cString: f.pointee.name)
            if f.pointee.label == PROTOBUF_C_LABEL_REPEATED {
                let sub = f.pointee.type == PROTOBUF_C_TYPE_MESSAGE
                    ? UnsafeRawPointer(f.pointee.descriptor).assumingMemoryBound(to: ProtobufCMessageDescriptor.self) : nil
                if let sub, String(cString: sub.pointee.name).hasSuffix("Entry") {
                    // A map: distinct keys in sorted order, as the Swift side re-encodes them.
                    let n = Int(rng.next() % 5)
                    out[name] = (0..<n).map { k -> [String: Any] in
                        var e = object(sub, depth: depth + 1)
                        e["key"] = "k\(k)"
                        return e
                    }
                    continue
                }
                if depth > 2 { continue }
                out[name] = (0..<Int(rng.next() % 4)).map { _ in value(f, depth: depth) }
            } else {
                if f.pointee.type == PROTOBUF_C_TYPE_MESSAGE, depth > 2 { continue }
                out[name] = value(f, depth: depth)
            }
        }
        return out
    }

    mutating func value(_ f: UnsafePointer<ProtobufCFieldDescriptor>, depth: Int) -> Any {
        switch f.pointee.type {
        case PROTOBUF_C_TYPE_INT32, PROTOBUF_C_TYPE_SINT32, PROTOBUF_C_TYPE_SFIXED32: return Int32(truncatingIfNeeded: rng.next())
        case PROTOBUF_C_TYPE_UINT32, PROTOBUF_C_TYPE_FIXED32: return UInt32(truncatingIfNeeded: rng.next())
        case PROTOBUF_C_TYPE_INT64, PROTOBUF_C_TYPE_SINT64, PROTOBUF_C_TYPE_SFIXED64: return String(Int64(bitPattern: rng.next()))
        case PROTOBUF_C_TYPE_UINT64, PROTOBUF_C_TYPE_FIXED64: return String(rng.next())
        case PROTOBUF_C_TYPE_DOUBLE: return Double(Int64(bitPattern: rng.next()) % 1_000_000_000) / 1000
        case PROTOBUF_C_TYPE_FLOAT: return Float(Int32(truncatingIfNeeded: rng.next()) % 100_000) / 8
        case PROTOBUF_C_TYPE_BOOL: return rng.next() & 1 == 1
        case PROTOBUF_C_TYPE_ENUM: return Int32(truncatingIfNeeded: rng.next() % 9)  // includes unknown numbers
        case PROTOBUF_C_TYPE_STRING:
            let alphabet = Array("abcXYZ09/._- éü€日本🚀")
            return String((0..<Int(rng.next() % 24)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
        case PROTOBUF_C_TYPE_BYTES:
            return Data((0..<Int(rng.next() % 40)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }).base64EncodedString()
        case PROTOBUF_C_TYPE_MESSAGE:
            return object(UnsafeRawPointer(f.pointee.descriptor).assumingMemoryBound(to: ProtobufCMessageDescriptor.self), depth: depth + 1)
        default: return NSNull()
        }
    }

    /// protobuf-c's encoding of a random message of `type`.
    mutating func encoded(_ type: any ProtoMessage.Type) throws -> [UInt8] {
        let json = try JSONSerialization.data(withJSONObject: object(type.cDescriptor))
        return try ProtoJSON.encode(json: String(decoding: json, as: UTF8.self), as: type)
    }
}
