// SPDX-License-Identifier: Apache-2.0
import ChatClient
import ChatProtocol

extension GlobalOptions {
    /// Connects, logs in and runs `body`; the shared start of the one-shot commands.
    /// Reading the user and password happens before connecting, so a prompt never
    /// holds a connection open.
    func withLogin<Result: Sendable>(
        _ body: (inout Session, LoginResMes) async throws -> Result
    ) async throws -> Result {
        let config = try self.config()
        let user = try self.userID(config)
        let password = try self.password(config)
        let debug = self.debugSink
        return try await Connection.with(config.server, tls: config.tls) { inbound, outbound in
            var session = Session(inbound: inbound, outbound: outbound, debug: debug)
            let login = try await session.login(user: user, password: password)
            let result = try await body(&session, login)
            await session.logout()
            return result
        }
    }
}
