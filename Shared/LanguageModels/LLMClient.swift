import Foundation
import Logging
import NIOCore
import NIOHTTP1
import RPC
import ServiceKit
import Strategies
import Synchronization
import TradingCore

/// How calls to one provider are made: where, which model, with which key, how long they may
/// take, how often they are retried and how many may be in flight.
public struct LLMEndpoint: Sendable {
    /// The provider's API, by name (`openai`, `anthropic`, `gemini`).
    public var format: any LLMWireFormat
    /// `https://api.openai.com/v1`, `http://127.0.0.1:11434/v1` (Ollama), …
    public var baseURL: URL
    public var model: String
    /// The API key; nil for a local server that needs none. Sent only in the provider's header.
    public var apiKey: String?
    /// The whole call's deadline, retries included, unless the caller gives its own.
    public var deadline: Duration
    /// Attempts per call (the first included) on 429, 5xx and dropped connections.
    public var maxAttempts: Int
    /// Calls in flight at once; more wait (within their deadline) for a slot.
    public var maxInFlight: Int
    /// The first retry waits up to this (full jitter), doubling per attempt up to `backoffCap`;
    /// a `Retry-After` from the provider is waited instead when longer.
    public var backoffBase: Duration
    public var backoffCap: Duration

    public init(
        format: any LLMWireFormat, baseURL: URL, model: String, apiKey: String?, deadline: Duration = .seconds(10), maxAttempts: Int = 3,
        maxInFlight: Int = 4, backoffBase: Duration = .milliseconds(250), backoffCap: Duration = .seconds(4)
    ) {
        self.format = format
        self.baseURL = baseURL
        self.model = model
        self.apiKey = apiKey
        self.deadline = deadline
        self.maxAttempts = maxAttempts
        self.maxInFlight = maxInFlight
        self.backoffBase = backoffBase
        self.backoffCap = backoffCap
    }
}

/// Calls one provider: translates through its wire format, bounds each call by a deadline,
/// retries what may succeed later with jittered backoff (honouring `Retry-After`), limits the
/// calls in flight, and logs an outage once when it starts and once when it ends, not per call.
public final class LLMClient: Sendable {
    public let endpoint: LLMEndpoint
    private let http: OutboundHTTPClient
    private let slots: CallSlots
    private let outage: OutageLog

    public init(_ endpoint: LLMEndpoint, logger: Logger) {
        self.endpoint = endpoint
        http = OutboundHTTPClient(baseURL: endpoint.baseURL, headers: endpoint.format.headers(apiKey: endpoint.apiKey), timeout: endpoint.deadline)
        slots = CallSlots(endpoint.maxInFlight)
        outage = OutageLog(provider: endpoint.format.provider, logger: logger)
    }

    /// The provider's name.
    public var provider: String { endpoint.format.provider }

    /// Asks the model. With `onText` the answer is streamed and each piece of text handed over as
    /// it arrives; the whole answer is returned either way. Nothing is retried once text has been
    /// handed over.
    public func complete(
        _ request: LLMRequest, deadline: Duration? = nil, onText: (@Sendable (String) async -> Void)? = nil
    ) async throws(LLMError) -> LLMResponse {
        let limit = deadline ?? endpoint.deadline
        let end = ContinuousClock.now + limit
        guard await slots.acquire(until: end) else {
            throw LLMError(.timeout, "\(provider): \(endpoint.maxInFlight) calls were already in flight and none finished within \(limit)")
        }
        defer { slots.release() }
        var attempt = 1
        while true {
            let streamed = StreamedText()
            do {
                let response = try await once(request, end: end, onText: onText, streamed: streamed)
                outage.succeeded()
                return response
            } catch {
                let failure = error.error
                let left = end - ContinuousClock.now
                let backoff = Self.jitter(base: endpoint.backoffBase, cap: endpoint.backoffCap, attempt: attempt)
                let wait = max(backoff, error.retryAfter ?? .zero)
                guard failure.code.isTransient, attempt < endpoint.maxAttempts, !streamed.any, wait < left else {
                    outage.failed(failure)
                    throw failure
                }
                do { try await Task.sleep(for: wait) } catch { throw LLMError(.timeout, "\(provider): the call was cancelled") }
                attempt += 1
            }
        }
    }

    /// A wait drawn uniformly from [0, min(cap, base·2^(attempt−1))] ("full jitter"), so that
    /// many callers turned away together do not come back together.
    static func jitter(base: Duration, cap: Duration, attempt: Int) -> Duration {
        let ceiling = min(cap, base * (1 << min(attempt - 1, 20)))
        let ms = ceiling.seconds * 1000
        return .milliseconds(Int64(Double.random(in: 0...max(0, ms))))
    }

    private struct AttemptFailure: Error {
        var error: LLMError
        var retryAfter: Duration?
    }

    private func once(
        _ request: LLMRequest, end: ContinuousClock.Instant, onText: (@Sendable (String) async -> Void)?, streamed: StreamedText
    ) async throws(AttemptFailure) -> LLMResponse {
        let format = endpoint.format
        let streaming = onText != nil
        let (path, query) = format.endpoint(model: endpoint.model, streaming: streaming)
        let body = Array(format.body(request, model: endpoint.model, streaming: streaming).jsonText.utf8)
        let left = end - ContinuousClock.now
        guard left > .zero else { throw AttemptFailure(error: LLMError(.timeout, "\(provider) gave no answer within the call's deadline")) }
        do {
            if let onText {
                var events = ServerSentEventReader()
                var reader = format.streamReader(for: request)
                let refused = try await http.stream(.POST, path, query: query, body: body, deadline: left, idleTimeout: left) { chunk in
                    for event in events.feed(chunk.readableBytesView) {
                        let text = try reader.take(event)
                        if !text.isEmpty {
                            streamed.mark()
                            await onText(text)
                        }
                    }
                }
                if let refused { throw refusal(refused) }
                guard reader.finished else {
                    throw AttemptFailure(error: LLMError(.connectionLost, "\(provider)'s stream ended before the answer was complete"))
                }
                return try reader.response()
            }
            let answer = try await http.post(path, query: query, json: body, deadline: left)
            guard answer.status == 200 else { throw refusal(answer) }
            let text = String(decoding: answer.body, as: UTF8.self)
            return try format.response(try JSONValue.provider(text, provider), to: request)
        } catch let failure as AttemptFailure {
            throw failure
        } catch let error as LLMError {
            throw AttemptFailure(error: redacted(error))
        } catch let failure as OutboundHTTPClient.Failure {
            throw AttemptFailure(error: LLMError(failure.timedOut ? .timeout : .connectionLost, "\(provider): \(failure.description)"))
        } catch is CancellationError {
            throw AttemptFailure(error: LLMError(.timeout, "\(provider): the call was cancelled"))
        } catch {
            throw AttemptFailure(error: LLMError(.connectionLost, "\(provider) at \(endpoint.baseURL.host ?? ""): \(error)"))
        }
    }

    /// What a status other than 200 means, with the provider's own words.
    private func refusal(_ answer: OutboundHTTPClient.Response) -> AttemptFailure {
        let text = String(decoding: answer.body.prefix(4096), as: UTF8.self)
        let words = (try? JSONValue(parsing: text)).flatMap(endpoint.format.errorWords) ?? String(text.prefix(300))
        let code: LLMErrorCode =
            switch answer.status {
            case 401, 403: .unauthorized
            case 429: .rateLimited
            case 408, 409, 500...599: .providerError
            default: answer.status >= 400 && answer.status < 500 ? .invalidRequest : .providerError
            }
        let hint =
            switch code {
            case .unauthorized: "; check the API key the ai settings name"
            case .rateLimited: answer.retryAfter.map { "; it asked to wait \($0)" } ?? ""
            case .invalidRequest: "; check ai.model and the provider's base URL"
            default: ""
            }
        return AttemptFailure(error: redacted(LLMError(code, "\(provider) answered HTTP \(answer.status): \(words)\(hint)")), retryAfter: answer.retryAfter)
    }

    /// The error with the API key, should a provider echo it, blanked.
    private func redacted(_ error: LLMError) -> LLMError {
        guard let key = endpoint.apiKey, key.count >= 8, error.message.contains(key) else { return error }
        return LLMError(error.code, error.message.replacingOccurrences(of: key, with: "[redacted]"))
    }
}

/// Whether any of an attempt's text reached the caller.
private final class StreamedText: Sendable {
    private let flag = Atomic(false)
    var any: Bool { flag.load(ordering: .relaxed) }
    func mark() { flag.store(true, ordering: .relaxed) }
}

/// At most `capacity` calls in flight; the rest wait, first come first served, until a slot
/// frees or their deadline passes.
final class CallSlots: Sendable {
    private struct State {
        var free: Int
        var waiting: [(id: UInt64, continuation: CheckedContinuation<Bool, Never>)] = []
        var nextID: UInt64 = 0
    }
    private let state: Mutex<State>

    init(_ capacity: Int) { state = Mutex(State(free: max(1, capacity))) }

    /// Takes a slot; false when none freed before `end`.
    func acquire(until end: ContinuousClock.Instant) async -> Bool {
        let id: UInt64? = state.withLock { s in
            if s.free > 0 {
                s.free -= 1
                return nil
            }
            s.nextID += 1
            return s.nextID
        }
        guard let id else { return true }
        return await withCheckedContinuation { continuation in
            state.withLock { $0.waiting.append((id, continuation)) }
            Task {
                try? await Task.sleep(until: end)
                let expired = state.withLock { s -> CheckedContinuation<Bool, Never>? in
                    guard let i = s.waiting.firstIndex(where: { $0.id == id }) else { return nil }
                    return s.waiting.remove(at: i).continuation
                }
                expired?.resume(returning: false)
            }
        }
    }

    /// Frees a slot, handing it straight to the longest waiter if any.
    func release() {
        let next = state.withLock { s -> CheckedContinuation<Bool, Never>? in
            if s.waiting.isEmpty {
                s.free += 1
                return nil
            }
            return s.waiting.removeFirst().continuation
        }
        next?.resume(returning: true)
    }
}

/// Logs a provider's outage once as it starts and once as it ends, however many calls fail in
/// between (an hour down is two lines, not thousands).
final class OutageLog: Sendable {
    private let down = Mutex<(since: ContinuousClock.Instant, failures: Int)?>(nil)
    private let provider: String
    private let logger: Logger

    init(provider: String, logger: Logger) {
        self.provider = provider
        self.logger = logger
    }

    func failed(_ error: LLMError) {
        // A refused request or key is the caller's problem, not an outage.
        guard error.code.isTransient || error.code == .timeout else { return }
        let first = down.withLock { state -> Bool in
            if state == nil {
                state = (.now, 1)
                return true
            }
            state!.failures += 1
            return false
        }
        if first { logger.warning("LLM provider unavailable; agents abstain until it answers again", metadata: ["provider": "\(provider)", "error": "\(error)"]) }
    }

    func succeeded() {
        guard let was = down.withLock({ state in defer { state = nil }; return state }) else { return }
        logger.notice(
            "LLM provider answering again",
            metadata: ["provider": "\(provider)", "failed_calls": "\(was.failures)", "down_for": "\(ContinuousClock.now - was.since)"])
    }
}
