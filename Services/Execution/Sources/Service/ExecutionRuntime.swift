import Bus
import Contract
import CoreMetrics
import Logging
import RPC
import ServiceKit
import ServiceLifecycle
import Store
import TradingCore
import Wire

/// The live side of execution: ticks from the bus keep prices fresh and fire the trigger book
/// (working orders, stop losses, take profits), whose watches the desk acts on one at a time;
/// equity of accounts holding positions is sampled on a timer. Stops on graceful shutdown.
final class ExecutionRuntime: Service, Sendable {
    let desk: OrderDesk
    let bus: Bus?
    private let fired = AsyncStream<TriggerBook.Watch>.makeStream()
    private let ticks = Counter(label: "execution_ticks_total")
    private let triggered = Counter(label: "execution_triggers_total")

    init(desk: OrderDesk, bus: Bus?) {
        self.desk = desk
        self.bus = bus
    }

    var logger: Logger { desk.logger }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.consumeTicks() }
                group.addTask { await self.sampleEquity() }
                // One at a time: two watches of one account must not race for its row.
                for await watch in self.fired.stream { await self.desk.act(on: watch) }
            }
        }
    }

    /// Subscribes to every tick first, then arms the stored watches, so no tick falls in between.
    private func consumeTicks() async {
        guard let bus else {
            await armStoredWatches()
            return
        }
        let subscription: BusSubscription
        do {
            subscription = try bus.subscribe(patterns: [BusChannel.everyTick])
            try? await subscription.waitUntilSubscribed()
        } catch {
            logger.error("cannot subscribe to ticks; working orders and exits will not trigger", metadata: ["error": "\(error)"])
            return
        }
        await armStoredWatches()
        for await delivery in subscription {
            guard case .message(_, let payload) = delivery, let tick = try? PB.Tick(decoding: payload) else { continue }
            ticks.increment()
            guard let price = desk.market.record(tick) else { continue }
            for watch in desk.triggers.fire(tick.symbol, at: price) {
                triggered.increment()
                fired.continuation.yield(watch)
            }
        }
    }

    /// Working orders and protected positions from storage into the trigger book; retried while Postgres is away.
    private func armStoredWatches() async {
        var attempt = 0
        while !Task.isCancelled {
            do {
                for order in try await Orders.working(desk.store) {
                    desk.triggers.add(.order(order, rules: try await desk.market.rules(order.symbol)))
                }
                for (account, position) in try await Positions.protected(desk.store) {
                    desk.triggers.update(account: account, position: position)
                }
                logger.info("trigger book armed", metadata: ["execution.watches": "\(desk.triggers.count)"])
                return
            } catch {
                attempt += 1
                if attempt == 1 { logger.warning("arming working orders failed; retrying", metadata: ["error": "\(error)"]) }
                try? await Task.sleep(for: Backoff(initial: .milliseconds(250), maximum: .seconds(10)).delay(attempt: attempt - 1))
            }
        }
    }

    /// Samples the equity of every account holding a position, every `equity.sample_seconds`.
    private func sampleEquity() async {
        while (try? await Task.sleep(for: desk.settings.equitySampleInterval)) != nil {
            do {
                let now = WallClock.nowNs
                for id in try await Accounts.withPositions(desk.store) {
                    guard let account = try await Accounts.find(id, desk.store) else { continue }
                    let positions = desk.marked(try await Positions.open(account: id, desk.store))
                    try await Trades.sampleEquity(account: id, try account.valuation(positions).equity, at: now, desk.store)
                }
            } catch {
                logger.warning("equity sampling failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
