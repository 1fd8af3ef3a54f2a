import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A small JSON-over-HTTP client for tests that drive the gateway as a frontend would.
public struct HTTPJSONClient: Sendable {
    /// The loopback port the server listens on.
    public let port: Int

    /// A client for `http://127.0.0.1:<port>`.
    public init(port: Int) { self.port = port }

    /// Sends `method path` (with a bearer `token` and a `json` body when given); answers the status
    /// and the body as a JSON object (empty when it is not one).
    public func call(_ method: String, _ path: String, token: String? = nil, json: String? = nil) async throws -> (status: Int, body: [String: Any]) {
        let reply = try await send(method, path, authorization: token.map { "Bearer \($0)" }, json: json)
        return (reply.status, reply.body)
    }

    /// Sends `method path` with an `Authorization` header and a `json` body when given; answers
    /// the status, the body as a JSON object and the response headers (names lower-cased).
    public func send(
        _ method: String, _ path: String, authorization: String? = nil, json: String? = nil
    ) async throws -> (status: Int, body: [String: Any], headers: [String: String]) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.timeoutInterval = 30
        if let authorization { request.setValue(authorization, forHTTPHeaderField: "Authorization") }
        if let json {
            request.httpBody = Data(json.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let body = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        let http = response as! HTTPURLResponse
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
        }
        return (http.statusCode, body, headers)
    }
}

/// The `error.code` of an error body, if it is one.
public func errorCode(_ body: [String: Any]) -> String? { (body["error"] as? [String: Any])?["code"] as? String }

/// The `error.message` of an error body, if it is one.
public func errorMessage(_ body: [String: Any]) -> String? { (body["error"] as? [String: Any])?["message"] as? String }
