/// The RPC client's connection as one state and its transitions. Each transition returns what the
/// client must then do outside the lock (resume waiting callers, close a connection), so the rules
/// are plain values, tested without sockets.
///
/// connecting(waiters) ──connected──> connected ──lost──> connecting
///        │                                                   ▲
///        └──failed──> waitingToRetry(error, until) ──retry───┘
/// any ──shutDown──> shutDown (final)
struct ClientConnectionState<Connection, Waiter> {
    enum State {
        case connecting(waiters: [Waiter])
        case connected(Connection)
        case waitingToRetry(lastError: RPCError, retryAt: ContinuousClock.Instant)
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
        /// A connection is being made: wait for it (at most `connectWait`).
        case wait
        case fail(RPCError)
    }

    private(set) var state: State = .connecting(waiters: [])

    /// A connection was made: waiting callers get it; after a shutdown it is closed instead.
    mutating func connected(_ connection: Connection) -> Actions {
        switch state {
        case .connecting(let waiters):
            state = .connected(connection)
            return Actions(resume: waiters, result: .success(connection))
        case .shutDown:
            return Actions(close: connection)
        case .connected, .waitingToRetry:
            state = .connected(connection)
            return Actions()
        }
    }

    /// The connection was lost, or the retry delay is over: a new attempt starts.
    mutating func reconnecting() -> Actions {
        switch state {
        case .connected, .waitingToRetry: state = .connecting(waiters: [])
        case .connecting, .shutDown: break
        }
        return Actions()
    }

    /// An attempt failed: waiting callers get `error`; calls fail fast with it until `retryAt`.
    mutating func failed(_ error: RPCError, retryAt: ContinuousClock.Instant) -> Actions {
        guard case .connecting(let waiters) = state else { return Actions() }
        state = .waitingToRetry(lastError: error, retryAt: retryAt)
        return Actions(resume: waiters, result: .failure(error))
    }

    /// The client stops: waiting callers fail, a live connection is closed. Final.
    mutating func shutDown() -> Actions {
        defer { state = .shutDown }
        switch state {
        case .connecting(let waiters):
            return Actions(resume: waiters, result: .failure(RPCError(code: .unavailable, message: "the client is shut down")))
        case .connected(let connection): return Actions(close: connection)
        case .waitingToRetry, .shutDown: return Actions()
        }
    }

    /// What a call made `now` finds; `target` names the peer in messages.
    func call(now: ContinuousClock.Instant, target: String) -> Call {
        switch state {
        case .connected(let c): return .ready(c)
        case .connecting: return .wait
        case .waitingToRetry(let e, let at):
            let left = at - now
            let ms = left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000
            return .fail(RPCError(code: e.code, message: e.message + (ms > 0 ? "; next attempt in \(ms) ms" : "")))
        case .shutDown: return .fail(RPCError(code: .unavailable, message: "the client for \(target) is shut down"))
        }
    }

    /// `waiter` waits for the attempt in progress; nil when it was added, else what it gets now.
    mutating func wait(_ waiter: Waiter) -> Result<Connection, RPCError>? {
        switch state {
        case .connecting(var waiters):
            waiters.append(waiter)
            state = .connecting(waiters: waiters)
            return nil
        case .connected(let c): return .success(c)
        case .waitingToRetry(let e, _): return .failure(e)
        case .shutDown: return .failure(RPCError(code: .unavailable, message: "the client is shut down"))
        }
    }
}
