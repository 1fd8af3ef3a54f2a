import Testing

@testable import RPC

/// The client's connection rules as values: no sockets, no clocks but the ones given.
@Suite struct ClientConnectionStateTests {
    typealias State = ClientConnectionState<String, Int>
    let unavailable = RPCError(code: .unavailable, message: "peer is unavailable: refused")

    @Test("callers waiting for an attempt get the connection it makes")
    func waitersGetTheConnection() throws {
        var s = State()
        #expect(s.wait(1) == nil && s.wait(2) == nil)
        let actions = s.connected("c1")
        #expect(actions.resume == [1, 2] && (try? actions.result?.get()) == "c1" && actions.close == nil)
        guard case .ready("c1") = s.call(now: .now, target: "peer") else { Issue.record("not ready"); return }
        #expect(try s.wait(3)?.get() == "c1")
    }

    @Test("a failed attempt fails its waiters and fast-fails calls until the retry, saying when")
    func failedAttempt() {
        var s = State()
        _ = s.wait(1)
        let now = ContinuousClock.now
        let actions = s.failed(unavailable, retryAt: now + .milliseconds(1500))
        #expect(actions.resume == [1])
        if case .failure(let e)? = actions.result { #expect(e == unavailable) } else { Issue.record("waiter not failed") }
        guard case .fail(let e) = s.call(now: now, target: "peer") else { Issue.record("not failing fast"); return }
        #expect(e.code == .unavailable && e.message.hasSuffix("next attempt in 1500 ms"))
        // Retrying: calls wait again; a lost connection likewise.
        _ = s.reconnecting()
        guard case .wait = s.call(now: now, target: "peer") else { Issue.record("not waiting"); return }
        _ = s.connected("c2")
        _ = s.reconnecting()
        guard case .wait = s.call(now: now, target: "peer") else { Issue.record("a lost connection is not retried"); return }
    }

    @Test("shutting down fails waiters, closes the live connection, and closes one made afterwards")
    func shutDown() {
        var s = State()
        _ = s.wait(7)
        let first = s.shutDown()
        #expect(first.resume == [7] && first.close == nil)
        if case .failure(let e)? = first.result { #expect(e.message.contains("shut down")) } else { Issue.record("waiter not failed") }
        #expect(s.connected("late").close == "late")
        guard case .fail = s.call(now: .now, target: "peer") else { Issue.record("calls after shutdown"); return }
        if case .failure? = s.wait(8) {} else { Issue.record("a waiter after shutdown waits") }
        var live = State()
        _ = live.connected("c")
        #expect(live.shutDown().close == "c")
        // Failures and reconnects after a shutdown change nothing.
        #expect(s.failed(unavailable, retryAt: .now).resume.isEmpty)
        _ = s.reconnecting()
        guard case .shutDown = s.state else { Issue.record("left shutDown"); return }
    }
}
