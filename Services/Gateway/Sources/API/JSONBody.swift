import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// JSON in and out of the REST API, with errors a person can act on.
enum JSONBody {
    static let maxBytes = 1 << 20

    /// The request body decoded as `T`; malformed JSON, a wrong type or a missing field is a 400
    /// naming the field.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T {
        try decode(type, from: try await data(from: request))
    }

    /// The request body's bytes (at most `maxBytes`, not empty).
    static func data(from request: Request) async throws -> Data {
        var request = request
        let buffer: ByteBuffer
        do { buffer = try await request.collectBody(upTo: maxBytes) } catch {
            throw APIError(.contentTooLarge, "request.too_large", "the body is over \(maxBytes) bytes")
        }
        guard buffer.readableBytes > 0 else { throw APIError(.badRequest, "request.missing_body", "a JSON body is required") }
        return Data(buffer.readableBytesView)
    }

    /// `data` decoded as `T` (snake_case keys), errors as in `decode(_:from:)`.
    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        do {
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            return try decoder.decode(T.self, from: data)
        } catch let error as DecodingError {
            throw APIError(.badRequest, "request.invalid_json", describe(error))
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let p = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return p.isEmpty ? "the body" : p
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return "\(parent == "the body" ? "" : parent + ".")\(key.stringValue) is missing"
        case .typeMismatch(let type, let context): return "\(path(context)) has the wrong type: expected \(type)"
        case .valueNotFound(let type, let context): return "\(path(context)) is null: expected \(type)"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "the body is not valid JSON" : "\(path(context)): \(context.debugDescription)"
        @unknown default: return "the body could not be read"
        }
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.keyEncodingStrategy = .convertToSnakeCase
        return e
    }()

    /// `value` as a JSON response.
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        response(try buffer(value), status: status)
    }

    /// `body` (JSON already) with `status`.
    static func response(_ body: ByteBuffer, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: body))
    }

    /// `value` encoded.
    static func buffer(_ value: some Encodable) throws -> ByteBuffer { ByteBuffer(bytes: try encoder.encode(value)) }
}
