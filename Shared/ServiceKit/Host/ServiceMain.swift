import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What every service's `main` does: runs `body` (read the configuration, build the host, run it
/// until SIGTERM/SIGINT); a failure is printed as `<executable>: <error>` and exits with status 2.
public func serviceMain(_ executable: String, _ body: () async throws -> Void) async {
    do {
        try await body()
    } catch {
        FileHandle.standardError.write(Data("\(executable): \(error)\n".utf8))
        exit(2)
    }
}
