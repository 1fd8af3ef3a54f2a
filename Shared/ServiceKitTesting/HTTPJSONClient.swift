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
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.timeoutInterval = 30
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let json {
            request.httpBody = Data(json.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let body = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return ((response as! HTTPURLResponse).statusCode, body)
    }
}

/// The `error.code` of an error body, if it is one.
public func errorCode(_ body: [String: Any]) -> String? { (body["error"] as? [String: Any])?["code"] as? String }

/// The `error.message` of an error body, if it is one.
public func errorMessage(_ body: [String: Any]) -> String? { (body["error"] as? [String: Any])?["message"] as? String }
