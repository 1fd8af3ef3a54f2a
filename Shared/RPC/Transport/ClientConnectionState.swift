/// The RPC client's connection as one state and its transitions. Each transition returns what the
/// client must then do outside the lock (resume waiting callers, close a connection), so the rules
/// are plain values, tested without sockets.
///
/// connecting(waiters) ──connected──> connected ──lost──> connecting
///        │                                                   ▲
///        └──failed──> waitingToRetry(error, until, waiters) ─retry─┘
/// any ──shutDown──> shutDown (final)
///
/// A call made while the next attempt is due within the caller's connect wait waits for that
/// attempt instead of failing: a peer that is starting, or restarting, costs callers a short wait,
/// not an error. Once the backoff has grown past the connect wait, calls fail fast, saying when the
/// next attempt is.
struct ClientConnectionState<Connection, Waiter> {
    enum State {
        case connecting(waiters: [Waiter])
        case connected(Connection)
        case waitingToRetry(lastError: RPCError, retryAt: ContinuousClock.Instant, waiters: [Waiter])
        case shutDown
    }

    /// What to do after a transition.
    struct Actions {
        /// Callers to resume, with `result`.
        var resume: [Waiter] = []
        var result: Result<Connection, RPCError>?
        /// A connection to close (made after a shutdown, or the one a shutdown ends).
        var close: Connection?
    }

    /// What a call finds.
    enum Call {
        case ready(Connection)
        /// A connection is being made, or the next attempt is due soon: wait for it (at most `connectWait`).
        case wait
        case fail(RPCError)
    }

    private(set) var state: State = .connecting(waiters: [])

    /// A connection was made: waiting callers get it; after a shutdown it is closed instead.
    mutating func connected(_ connection: Connection) -> Actions {
        switch state {
        case .connecting(let waiters), .waitingToRetry(_, _, let waiters):
            state = .connected(connection)
            return Actions(resume: waiters, result: .success(connection))
        case .shutDown:
            return Actions(close: connection)
        case .connected:
            state = .connected(connection)
            return Actions()
        }
    }

    /// The connection was lost, or the retry delay is over: a new attempt starts, and callers
    /// waiting for it stay waiting.
    mutating func reconnecting() -> Actions {
        switch state {
        case .connected: state = .connecting(waiters: [])
        case .waitingToRetry(_, _, let waiters): state = .connecting(waiters: waiters)
        case .connecting, .shutDown: break
        }
        return Actions()
    }

    /// An attempt failed: waiting callers get `error`; calls fail fast with it until `retryAt`.
    mutating func failed(_ error: RPCError, retryAt: ContinuousClock.Instant) -> Actions {
        guard case .connecting(let waiters) = state else { return Actions() }
        state = .waitingToRetry(lastError: error, retryAt: retryAt, waiters: [])
        return Actions(resume: waiters, result: .failure(error))
    }

    /// The client stops: waiting callers fail, a live connection is closed. Final.
    mutating func shutDown() -> Actions {
        defer { state = .shutDown }
        switch state {
        case .connecting(let waiters), .waitingToRetry(_, _, let waiters):
            return Actions(resume: waiters, result: .failure(RPCError(code: .unavailable, message: "the client is shut down")))
        case .connected(let connection): return Actions(close: connection)
        case .shutDown: return Actions()
        }
    }

    /// What a call made `now`, willing to wait `connectWait` for a connection, finds; `target`
    /// names the peer in messages.
    func call(now: ContinuousClock.Instant, connectWait: Duration, target: String) -> Call {
        switch state {
        case .connected(let c): return .ready(c)
        case .connecting: return .wait
        case .waitingToRetry(let e, let at, _):
            if at - now <= connectWait { return .wait }
            return .fail(Self.failFast(e, retryAt: at, now: now))
        case .shutDown: return .fail(RPCError(code: .unavailable, message: "the client for \(target) is shut down"))
        }
    }

    /// `waiter`, willing to wait `connectWait` from `now`, waits for the attempt in progress or
    /// due within that time; nil when it was added, else what it gets now.
    mutating func wait(_ waiter: Waiter, now: ContinuousClock.Instant, connectWait: Duration) -> Result<Connection, RPCError>? {
        switch state {
        case .connecting(var waiters):
            waiters.append(waiter)
            state = .connecting(waiters: waiters)
            return nil
        case .waitingToRetry(let e, let at, var waiters):
            guard at - now <= connectWait else { return .failure(Self.failFast(e, retryAt: at, now: now)) }
            waiters.append(waiter)
            state = .waitingToRetry(lastError: e, retryAt: at, waiters: waiters)
            return nil
        case .connected(let c): return .success(c)
        case .shutDown: return .failure(RPCError(code: .unavailable, message: "the client is shut down"))
        }
    }

    /// The last attempt's error, saying when the next attempt is.
    private static func failFast(_ error: RPCError, retryAt: ContinuousClock.Instant, now: ContinuousClock.Instant) -> RPCError {
        let left = retryAt - now
        let ms = left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000
        return RPCError(code: error.code, message: error.message + (ms > 0 ? "; next attempt in \(ms) ms" : ""))
    }
}
