import Contract
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWSCompression
import HummingbirdWebSocket
import NIOSSL
import NIOWebSocket
import Logging
import NIOCore
import RPC
import ServiceKit
import ServiceLifecycle
import Store
import Synchronization
import Wire

/// Builds the gateway: users, sessions and settings in its schema; the REST API, Server-Sent
/// Events and WebSocket live updates on `http.host:http.port`; every other service over RPC
/// (`peers.*`) and the bus. Its own RPC service (`Gateway`) answers operators and services.
/// `onHTTPRunning` is told the HTTP port once it listens (tests ask for port 0).
public func buildGateway(configuration: HostConfiguration, settings: GatewaySettings, onHTTPRunning: (@Sendable (Int) -> Void)? = nil) throws -> ServiceHost {
    var configuration = configuration
    if configuration.migrationsDirectory == nil {
        configuration.migrationsDirectory = gatewayMigrationsDirectory
    }
    var made: (GatewayAPI, LiveHub, [RPCClient])?
    func assemble(_ resources: HostResources) throws -> (GatewayAPI, LiveHub, [RPCClient]) {
        if let made { return made }
        guard let store = resources.store else {
            throw ConfigError(key: "postgres.enabled", message: "the gateway keeps users and sessions in Postgres and cannot run without it")
        }
        let client = { (address: PeerAddress) in resources.configuration.peerClient(address, logger: resources.logger) }
        let (marketData, orchestrator, risk, execution) = (
            settings.marketData.map(client), settings.orchestrator.map(client), settings.risk.map(client), settings.execution.map(client)
        )
        let peers = GatewayPeers(
            marketData: marketData.map(MarketDataClient.init), orchestrator: orchestrator.map(OrchestratorClient.init), risk: risk.map(RiskClient.init),
            execution: execution.map(ExecutionClient.init))
        let api = GatewayAPI(
            store: store, peers: peers, settings: settings, signer: TokenSigner(secret: settings.jwtSecret),
            limiter: RateLimiter(bus: resources.bus, logger: resources.logger), logins: LoginGuard(bus: resources.bus), audit: resources.audit, logger: resources.logger,
            assetList: SharedRendering(ttl: .milliseconds(settings.assetsCacheMilliseconds)))
        made = (api, LiveHub(bus: resources.bus), [marketData, orchestrator, risk, execution].compactMap { $0 })
        return made!
    }
    return try ServiceHost(configuration: configuration) { router, resources in
        let (api, _, _) = try assemble(resources)
        GatewayHandlers(api: api, bus: resources.bus).registerMethods(with: &router)
    } services: { resources in
        let (api, hub, clients) = try assemble(resources)
        let router = Hummingbird.Router(context: GatewayContext.self)
        let cors = CORSPolicy<GatewayContext>(origins: Set(settings.corsOrigins))
        api.register(on: router, cors: cors, hsts: settings.tls != nil)
        let admission = WebSocketAdmission(perUser: settings.webSocketConnectionsPerUser)
        // permessage-deflate when the client offers it (browsers do); messages under 256 bytes (a
        // tick) go as they are, where compressing costs more than it saves. Each message resets the
        // window (no context takeover), so an idle connection holds no compression history.
        let webSocket = WebSocketServerConfiguration(
            extensions: [.perMessageDeflate(noContextTakeover: true, minFrameSizeToCompress: 256)],
            autoPing: .enabled(timePeriod: .seconds(settings.webSocketPingSeconds)))
        let http: HTTPServerBuilder = .http1WebSocketUpgrade(configuration: .init(ws: webSocket)) { request, channel, logger in
                guard request.path?.split(separator: "?").first == "/ws" else { return .dontUpgrade }
                // A page from an origin not on the list cannot use a visitor's token over the WebSocket.
                guard cors.admits(request.headerFields[.origin], host: request.authority) else { return .dontUpgrade }
                // Browsers cannot set headers on a WebSocket: the token comes as ?token=.
                let token = URLComponents(string: request.path ?? "")?.queryItems?.first { $0.name == "token" }?.value ?? ""
                guard let principal = try? api.principal(token: token) else { return .dontUpgrade }
                // A client that offered permessage-deflate gets it, through the library's writer (which
                // compresses); the others get batched writes straight onto the channel.
                let deflate = request.headerFields[.secWebSocketExtensions]?.contains("permessage-deflate") == true
                return .upgrade([:]) { inbound, outbound, _ in
                    guard admission.admit(principal.userId) else {
                        try await outbound.close(.policyViolation, reason: admission.refusal)
                        return
                    }
                    defer { admission.release(principal.userId) }
                    let session = WebSocketSession(
                        id: WebSocketSession.nextId(), principal: principal, hub: hub, peers: api.peers, maxSubscriptions: settings.webSocketSubscriptions,
                        logger: logger)
                    try await session.run(inbound: inbound, outbound: outbound, writer: deflate ? .library(outbound) : .channel(channel))
                }
            }
        let application = Application(
            router: router,
            // HTTPS and WSS when the gateway has a certificate (`http.tls_cert`, `http.tls_key`).
            server: try settings.tls.map { try .tls(http, tlsConfiguration: $0) } ?? http,
            configuration: ApplicationConfiguration(address: .hostname(settings.httpHost, port: settings.httpPort), serverName: "tradewind-gateway"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? settings.httpPort
                resources.logger.info("gateway HTTP listening", metadata: ["http.port": "\(port)"])
                onHTTPRunning?(port)
            },
            logger: resources.logger)
        // Stopped in reverse: HTTP first, then the hub, then the peer clients.
        return clients + [hub, application]
    }
}

/// Reads the host configuration and the gateway settings from defaults, file, environment and flags.
public func readGatewayConfiguration(
    arguments: [String] = Array(CommandLine.arguments.dropFirst()),
    environment: [String: String] = ProcessInfo.processInfo.environment
) throws -> (HostConfiguration, GatewaySettings) {
    let (host, values) = try HostConfiguration.read(service: "gateway", arguments: arguments, environment: environment, extraKeys: GatewaySettings.keys)
    return (host, try GatewaySettings.read(values))
}

/// Where the gateway's SQL migrations are.
public var gatewayMigrationsDirectory: String? { Bundle.module.path(forResource: "Migrations", ofType: nil) }
