import NIOCore

/// A `TaskExecutor` that runs jobs on one NIO event loop.
///
/// The server runs each call's handler task with this executor preferred, so a request that arrives
/// on an event loop is decoded, handled and answered on that same thread: no hop to the cooperative
/// pool and back, which measured here as most of an async round trip's cost (TOOLCHAIN.md). A
/// handler that awaits real I/O (Postgres, Redis) still suspends and resumes normally.
public final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked Sendable: the only stored property is an `EventLoop`, which is Sendable itself;
    // the class exists to give the executor a stable identity.
    /// The loop jobs run on.
    public let eventLoop: any EventLoop

    /// An executor running jobs on `eventLoop`.
    public init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Runs `job` on the event loop, in order with the loop's other tasks.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
