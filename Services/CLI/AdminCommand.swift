import ArgumentParser
import Contract
import Foundation
import RPC
import ServiceKit
import Wire

/// `tradewind admin create-user HOST:PORT --email … --role admin`: makes a user through the
/// gateway's RPC service as the operator, whatever the registration policy. How the first admin is
/// made on a gateway that is not on loopback (where nobody becomes admin by registering).
struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "admin", abstract: "Administer users.", subcommands: [CreateUser.self])

    struct CreateUser: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create-user", abstract: "Create a user with a role; the password is read from standard input (one line) unless given.")

        @Argument(help: "The gateway's RPC address, HOST:PORT.")
        var address: String

        @Option(help: "The user's email.") var email: String
        @Option(help: "viewer, trader or admin.") var role = "admin"
        @Option(help: "The password (visible to other users of this machine; prefer standard input).") var password: String?

        @Option(help: "The operator's RPC secret (default: $TRADEWIND_RPC_SECRET, else the development one).")
        var secret: String?

        func run() async throws {
            let wireRole: PB.Role
            switch role {
            case "viewer": wireRole = .viewer
            case "trader": wireRole = .trader
            case "admin": wireRole = .admin
            default: throw ValidationError("role \"\(role)\" must be viewer, trader or admin")
            }
            guard let password = password ?? readLine(strippingNewline: true), !password.isEmpty else {
                throw ValidationError("give the password on standard input (one line) or with --password")
            }
            let target = try parseAddress(address)
            let user = try await withClient(target: target, secret: secret) { client in
                try await GatewayClient(client).createUser(PB.CreateUserRequest(email: email, password: password, role: wireRole))
            }
            print(try ProtoJSON.decode(try user.encodedBytes(), as: PB.User.self))
        }
    }
}
