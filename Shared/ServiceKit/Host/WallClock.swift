import Foundation

/// The wall clock in the units the wire and the tables use.
public enum WallClock {
    /// Now, in Unix nanoseconds (UTC).
    public static var nowNs: Int64 { Int64(Date().timeIntervalSince1970 * 1e9) }
}
