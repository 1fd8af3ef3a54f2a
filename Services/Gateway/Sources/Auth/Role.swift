import Contract
import Wire

/// What a user may do: viewers read, traders also trade and run bots, admins also manage users and
/// the kill switch. Ordered: a route open to traders is open to admins.
enum Role: String, Sendable, Hashable, Codable, Comparable, CaseIterable {
    case viewer, trader, admin

    static func < (a: Role, b: Role) -> Bool { a.rank < b.rank }

    private var rank: Int {
        switch self {
        case .viewer: 0
        case .trader: 1
        case .admin: 2
        }
    }

    var wire: PB.Role {
        switch self {
        case .viewer: .viewer
        case .trader: .trader
        case .admin: .admin
        }
    }

    init?(wire: PB.Role) {
        switch wire {
        case .viewer: self = .viewer
        case .trader: self = .trader
        case .admin: self = .admin
        default: return nil
        }
    }
}

/// The authenticated caller of a request.
struct Principal: Sendable, Hashable {
    var userId: String
    var role: Role
    /// The user's paper account in execution.
    var accountId: String
    /// True when the caller came with an API key rather than a session's access token (keys
    /// cannot make keys or change passwords).
    var viaKey = false
}
