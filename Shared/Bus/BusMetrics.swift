import CoreMetrics
import Metrics

/// The bus's counters, created once (no per-channel labels: channels carry symbols and ids).
final class BusMetrics: Sendable {
    let published = Counter(label: "bus_published_total")
    let publishDropped = Counter(label: "bus_publish_dropped_total")
    let delivered = Counter(label: "bus_delivered_total")
    let subscriberDropped = Counter(label: "bus_subscriber_dropped_total")
    let reconnects = Counter(label: "bus_reconnects_total")
    let undecodable = Counter(label: "bus_undecodable_total")
}
