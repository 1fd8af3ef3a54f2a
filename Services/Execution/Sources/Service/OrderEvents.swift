import Bus
import Contract
import ServiceKit
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
    let stream = Broadcaster<AccountEvent>(droppedMetric: "execution_stream_items_dropped_total")

    /// Publishes what one ledger step changed, in the order it happened.
    func publish(_ outcome: LedgerOutcome) {
        let account = outcome.order.accountId
        var events: [(String, PB.OrderEvent)] = [(BusChannel.order(account: account), PB.OrderEvent(tsNs: outcome.order.updatedAtNs, event: .order(outcome.order)))]
        if let fill = outcome.fill { events.append((BusChannel.fill(account: account), PB.OrderEvent(tsNs: fill.tsNs, event: .fill(fill)))) }
        if let trade = outcome.trade {
            events.append((BusChannel.position(account: account), PB.OrderEvent(tsNs: trade.closedAtNs, event: .trade(trade))))
        }
        if let position = outcome.position {
            events.append((BusChannel.position(account: account), PB.OrderEvent(tsNs: position.updatedAtNs, event: .position(position))))
        }
        if let bus { for (channel, event) in events { _ = try? bus.publish(channel, event) } }
        stream.publish(events.map { AccountEvent(account: account, event: $0.1) })
    }
}
