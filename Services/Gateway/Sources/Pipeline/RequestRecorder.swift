import CoreMetrics
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RPC
import Synchronization

/// The outermost middleware: gives each request an id (answered in `X-Request-Id`, and the trace
/// id of every RPC call made for it, which the services log), times it by route template, method
/// and status (the histogram `gateway_http_request_duration_seconds`, whose `_count` counts them),
/// and writes one structured log line when it ends.
struct RequestRecorder: RouterMiddleware {
    let logger: Logger
    let metrics = RequestMetrics()

    func handle(_ request: Request, context: GatewayContext, next: (Request, GatewayContext) async throws -> Response) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        let id = RequestId.next()
        var response: Response
        do {
            response = try await TraceContext.$current.withValue(TraceContext(traceId: id, parentId: RequestId.span)) {
                try await next(request, context)
            }
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        } catch {
            logger.error("request failed", metadata: ["http.request_id": "\(id)", "error": "\(error)"])
            response = try APIError(.internalServerError, "gateway.internal", "internal error; quote request id \(id)").response(from: request, context: context)
        }
        response.headers[.requestId] = id
        let route = context.endpointPath ?? "unmatched"
        let nanoseconds = Int64(DispatchTime.now().uptimeNanoseconds - start)
        metrics.record(route: route, method: request.method, status: response.status.code, nanoseconds: nanoseconds)
        if logger.logLevel <= .info {
            logger.info("request", metadata: [
                "http.request_id": "\(id)", "http.method": "\(request.method)", "http.route": "\(route)", "http.status": "\(response.status.code)",
                "http.duration_ms": "\(Double(nanoseconds) / 1e6)", "http.client": "\(context.clientAddress)",
            ])
        }
        return response
    }
}

/// Request ids: 32 hex digits (a W3C trace id), this process's random half and a counter, so
/// they are unique without a random draw per request.
enum RequestId {
    private static let prefix: UInt64 = {
        var rng = SystemRandomNumberGenerator()
        return rng.next()
    }()
    private static let counter = Atomic<UInt64>(0)
    /// The gateway's span id in the trace context it starts.
    static let span: String = {
        var rng = SystemRandomNumberGenerator()
        return String(hex(rng.next(), 0).prefix(16))
    }()

    static func next() -> String { hex(prefix, counter.add(1, ordering: .relaxed).newValue) }

    /// `high` then `low` as 32 lower-case hex digits, in one allocation.
    private static func hex(_ high: UInt64, _ low: UInt64) -> String {
        String(unsafeUninitializedCapacity: 32) { buffer in
            let digits: StaticString = "0123456789abcdef"
            for i in 0..<32 {
                let value = i < 16 ? high : low
                buffer[i] = digits.utf8Start[Int((value >> UInt64(60 - 4 * (i % 16))) & 0xF)]
            }
            return 32
        }
    }
}

/// Timers by route template, method and status (a histogram each, whose `_count` counts the
/// requests), made once per combination.
final class RequestMetrics: Sendable {
    private struct Key: Hashable {
        var route: String
        var method: HTTPRequest.Method
        var status: Int
    }

    private let made = Mutex<[Key: CoreMetrics.Timer]>([:])

    func record(route: String, method: HTTPRequest.Method, status: Int, nanoseconds: Int64) {
        let key = Key(route: route, method: method, status: status)
        let timer = made.withLock { made in
            if let timer = made[key] { return timer }
            let timer = CoreMetrics.Timer(
                label: "gateway_http_request_duration_seconds", dimensions: [("route", route), ("method", method.rawValue), ("status", String(status))])
            made[key] = timer
            return timer
        }
        timer.recordNanoseconds(nanoseconds)
    }
}
