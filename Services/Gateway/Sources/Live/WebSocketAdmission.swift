import Synchronization

/// How many live WebSocket connections each user holds, against `ws.max_connections_per_user`: a
/// connection over the limit is closed at once with 1008 (policy violation) and `refusal`, so a
/// runaway page or script cannot hold the gateway's memory and fan-out.
final class WebSocketAdmission: Sendable {
    let perUser: Int
    private let open = Mutex<[String: Int]>([:])

    init(perUser: Int) { self.perUser = perUser }

    /// The close reason of a refused connection (at most 123 bytes, what a close frame holds).
    var refusal: String { "ws.too_many_connections: your account has \(perUser) open; close one first" }

    /// Counts a new connection of `user`; false (and not counted) when the user is at the limit.
    func admit(_ user: String) -> Bool {
        open.withLock { open in
            guard open[user, default: 0] < perUser else { return false }
            open[user, default: 0] += 1
            return true
        }
    }

    /// A connection of `user` has ended.
    func release(_ user: String) {
        open.withLock { open in
            let left = open[user, default: 1] - 1
            open[user] = left > 0 ? left : nil
        }
    }
}
