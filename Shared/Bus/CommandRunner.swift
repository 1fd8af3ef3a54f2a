import Foundation
import Synchronization

/// Runs request/response Redis commands on one dedicated thread with one connection, so callers
/// await instead of blocking; commands queued while a batch is out go together as one pipeline.
/// Reconnects on the next command after a failure.
final class CommandRunner: Sendable {
    private struct Job {
        let args: [[UInt8]]
        let continuation: CheckedContinuation<RedisValue, any Error>
    }

    private let jobs = Mutex<(queue: [Job], stopped: Bool)>(([], false))
    private let signal = NSCondition()
    private let configuration: BusConfiguration

    init(configuration: BusConfiguration) {
        self.configuration = configuration
        let thread = Thread { [self] in loop() }
        thread.name = "tw-bus-commands"
        thread.start()
    }

    func run(_ args: [[UInt8]]) async throws(BusError) -> RedisValue {
        do {
            return try await withCheckedThrowingContinuation { c in
                let accepted = jobs.withLock { j in
                    guard !j.stopped else { return false }
                    j.queue.append(Job(args: args, continuation: c))
                    return true
                }
                guard accepted else {
                    c.resume(throwing: BusError(code: .closed, message: "the bus is shut down"))
                    return
                }
                signal.lock()
                signal.signal()
                signal.unlock()
            }
        } catch let e as BusError {
            throw e
        } catch {
            throw BusError(code: .commandFailed, message: "\(error)")
        }
    }

    func stop() {
        jobs.withLock { $0.stopped = true }
        signal.lock()
        signal.signal()
        signal.unlock()
    }

    /// Sends every command of `batch` in one write, then reads their replies in order (Redis
    /// answers a pipeline in order), so callers arriving together cost one round trip. A lost
    /// connection fails the commands whose replies had not arrived; the next batch reconnects.
    private func run(_ batch: [Job], on connection: inout RedisConnection?) {
        let redis: RedisConnection
        do {
            if connection == nil { connection = try RedisConnection(host: configuration.host, port: configuration.port) }
            redis = connection!
        } catch {
            for job in batch { job.continuation.resume(throwing: error) }
            return
        }
        for job in batch { redis.append(job.args) }
        for (i, job) in batch.enumerated() {
            do {
                job.continuation.resume(returning: try redis.readReply())
            } catch {
                connection = nil
                for rest in batch[i...] { rest.continuation.resume(throwing: error) }
                return
            }
        }
    }

    private func loop() {
        var connection: RedisConnection?
        while true {
            signal.lock()
            while jobs.withLock({ $0.queue.isEmpty && !$0.stopped }) { signal.wait() }
            signal.unlock()
            let (batch, stopped) = jobs.withLock { j in
                defer { j.queue.removeAll() }
                return (j.queue, j.stopped)
            }
            if !batch.isEmpty { run(batch, on: &connection) }
            if stopped { break }
        }
    }
}
