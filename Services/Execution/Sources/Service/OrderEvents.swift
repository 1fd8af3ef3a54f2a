import Bus
import Logging
import ServiceKit
import TradingCore
import Wire

/// One account's order, fill, position or trade event.
struct AccountEvent: Sendable {
    let account: String
    let event: PB.OrderEvent
}

/// Where execution's events go: the bus (`tw.exec.order|fill|position.<ACCOUNT>`; trades ride on
/// the position channel, since a trade is a position closing) and StreamOrderEvents.
struct OrderEvents: Sendable {
    let bus: Bus?
    let logger: Logger
    let stream = Broadcaster<AccountEvent>(droppedMetric: "execution_stream_items_dropped_total")

    /// Publishes what one ledger step changed, in the order it happened.
    func publish(_ outcome: LedgerOutcome) {
        let events: [(channel: String, event: PB.OrderEvent)]
        do { events = try outcome.wireEvents() } catch {
            // Committed already; only the notice is lost, and the next step's position carries on.
            logger.error("an order's events could not be put on the wire", metadata: ["execution.order": "\(outcome.order.id)", "error": "\(error)"])
            return
        }
        if let bus { for (channel, event) in events { _ = try? bus.publish(channel, event) } }
        stream.publish(events.map { AccountEvent(account: outcome.order.accountId, event: $0.event) })
    }
}
