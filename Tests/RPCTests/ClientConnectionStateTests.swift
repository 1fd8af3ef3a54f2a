import Testing

@testable import RPC

/// The client's connection rules as values: no sockets, no clocks but the ones given.
@Suite struct ClientConnectionStateTests {
    typealias State = ClientConnectionState<String, Int>
    let unavailable = RPCError(code: .unavailable, message: "peer is unavailable: refused")
    let wait = Duration.seconds(2)

    @Test("callers waiting for an attempt get the connection it makes")
    func waitersGetTheConnection() throws {
        var s = State()
        #expect(s.wait(1, now: .now, connectWait: wait) == nil && s.wait(2, now: .now, connectWait: wait) == nil)
        let actions = s.connected("c1")
        #expect(actions.resume == [1, 2] && (try? actions.result?.get()) == "c1" && actions.close == nil)
        guard case .ready("c1") = s.call(now: .now, connectWait: wait, target: "peer") else { Issue.record("not ready"); return }
        #expect(try s.wait(3, now: .now, connectWait: wait)?.get() == "c1")
    }

    @Test("a failed attempt fails its waiters and fast-fails calls until the retry, saying when")
    func failedAttempt() {
        var s = State()
        let now = ContinuousClock.now
        _ = s.wait(1, now: now, connectWait: wait)
        let actions = s.failed(unavailable, retryAt: now + .milliseconds(2500))
        #expect(actions.resume == [1])
        if case .failure(let e)? = actions.result { #expect(e == unavailable) } else { Issue.record("waiter not failed") }
        guard case .fail(let e) = s.call(now: now, connectWait: wait, target: "peer") else { Issue.record("not failing fast"); return }
        #expect(e.code == .unavailable && e.message.hasSuffix("next attempt in 2500 ms"))
        if case .failure(let e)? = s.wait(2, now: now, connectWait: wait) {
            #expect(e.message.hasSuffix("next attempt in 2500 ms"))
        } else { Issue.record("a waiter waits for an attempt beyond its connect wait") }
        // Retrying: calls wait again; a lost connection likewise.
        _ = s.reconnecting()
        guard case .wait = s.call(now: now, connectWait: wait, target: "peer") else { Issue.record("not waiting"); return }
        _ = s.connected("c2")
        _ = s.reconnecting()
        guard case .wait = s.call(now: now, connectWait: wait, target: "peer") else { Issue.record("a lost connection is not retried"); return }
    }

    @Test("a call waits for a retry due within its connect wait, and gets what that attempt makes")
    func waitsForASoonRetry() throws {
        var s = State()
        let now = ContinuousClock.now
        _ = s.failed(unavailable, retryAt: now + .milliseconds(50))
        guard case .wait = s.call(now: now, connectWait: wait, target: "peer") else { Issue.record("a soon retry fails the call"); return }
        #expect(s.wait(1, now: now, connectWait: wait) == nil)
        // The retry starts: the waiter waits on for its outcome.
        #expect(s.reconnecting().resume.isEmpty)
        let made = s.connected("c")
        #expect(made.resume == [1] && (try? made.result?.get()) == "c")
        // A retry that fails again fails its waiters with that attempt's error.
        _ = s.reconnecting()
        _ = s.failed(unavailable, retryAt: now + .milliseconds(100))
        #expect(s.wait(2, now: now, connectWait: wait) == nil)
        _ = s.reconnecting()
        let again = s.failed(unavailable, retryAt: now + .seconds(4))
        #expect(again.resume == [2])
        if case .failure(let e)? = again.result { #expect(e == unavailable) } else { Issue.record("waiter not failed") }
        // A shutdown while waiting for the retry fails the waiter.
        var t = State()
        _ = t.failed(unavailable, retryAt: now + .milliseconds(10))
        _ = t.wait(3, now: now, connectWait: wait)
        #expect(t.shutDown().resume == [3])
    }

    @Test("shutting down fails waiters, closes the live connection, and closes one made afterwards")
    func shutDown() {
        var s = State()
        _ = s.wait(7, now: .now, connectWait: wait)
        let first = s.shutDown()
        #expect(first.resume == [7] && first.close == nil)
        if case .failure(let e)? = first.result { #expect(e.message.contains("shut down")) } else { Issue.record("waiter not failed") }
        #expect(s.connected("late").close == "late")
        guard case .fail = s.call(now: .now, connectWait: wait, target: "peer") else { Issue.record("calls after shutdown"); return }
        if case .failure? = s.wait(8, now: .now, connectWait: wait) {} else { Issue.record("a waiter after shutdown waits") }
        var live = State()
        _ = live.connected("c")
        #expect(live.shutDown().close == "c")
        // Failures and reconnects after a shutdown change nothing.
        #expect(s.failed(unavailable, retryAt: .now).resume.isEmpty)
        _ = s.reconnecting()
        guard case .shutDown = s.state else { Issue.record("left shutDown"); return }
    }
}
