// SPDX-License-Identifier: Apache-2.0

import NIOCore
import NIOSSL
import NIOTLS

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// TLS to chatd: the server's certificate must chain to `caFile`'s certificates,
/// or to the system's CA store when nil, and name the host of `--server`
/// (a DNS name, or an IP address in the certificate's IP SANs).
public struct ClientTLS: Sendable, Equatable {
    public var caFile: String?

    public init(caFile: String? = nil) {
        self.caFile = caFile
    }

    /// What the certificate is verified against, for messages.
    var trustDescription: String { self.caFile.map { "the CA file \($0)" } ?? "the system CA store" }

    /// An unreadable or empty CA file is a usage error.
    func makeContext() throws(ChatFailure) -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.certificateVerification = .fullVerification
        if let caFile = self.caFile {
            guard let data = FileManager.default.contents(atPath: caFile) else {
                throw ChatFailure(.usage, "cannot read the CA file \(caFile)")
            }
            let roots = (try? NIOSSLCertificate.fromPEMBytes(Array(data))) ?? []
            guard !roots.isEmpty else { throw ChatFailure(.usage, "no PEM certificate in the CA file \(caFile)") }
            configuration.trustRoots = .certificates(roots)
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw ChatFailure(.usage, "cannot set up TLS: \(error)")
        }
    }

    /// The handlers that go first in the pipeline, and a future that completes when
    /// the handshake has (the certificate verified) or fails with why it did not.
    func handlers(
        context: NIOSSLContext,
        host: String,
        channel: any Channel
    ) throws -> (NIOSSLClientHandler, TLSHandshakeWaiter) {
        // SNI and name checks take a DNS name; for an IP address NIOSSL checks the
        // certificate's IP SANs against the peer's address instead.
        let isIPAddress = (try? SocketAddress(ipAddress: host, port: 0)) != nil
        let ssl = try NIOSSLClientHandler(context: context, serverHostname: isIPAddress ? nil : host)
        return (ssl, TLSHandshakeWaiter(promise: channel.eventLoop.makePromise()))
    }

    /// A handshake failure as one line and an exit status: a certificate that does not
    /// verify is `.untrusted`; anything else (not a TLS port, closed) `.unavailable`.
    func failure(_ error: any Error, server: ServerAddress) -> ChatFailure {
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname {
            return ChatFailure(.untrusted, "TLS: the certificate of \(server) is not for \(server.host)")
        }
        if case NIOSSLError.handshakeFailed(let reason) = error {
            if "\(reason)".contains("CERTIFICATE_VERIFY_FAILED") {
                return ChatFailure(
                    .untrusted,
                    "TLS: the certificate of \(server) does not verify against \(self.trustDescription)"
                )
            }
            return ChatFailure(.unavailable, "TLS handshake with \(server) failed (is it chatd's TLS port?)")
        }
        if error is TLSHandshakeWaiter.Closed {
            return ChatFailure(
                .unavailable,
                "TLS handshake with \(server) failed: the connection closed (is it chatd's TLS port?)"
            )
        }
        return ChatFailure(.unavailable, "TLS handshake with \(server) failed: \(Connection.describe(error))")
    }
}

/// Passes everything on; completes `promise` when the TLS handshake succeeds, fails it
/// with the first error or the connection's end before that.
final class TLSHandshakeWaiter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    struct Closed: Error {}

    let promise: EventLoopPromise<Void>
    private var done = false

    init(promise: EventLoopPromise<Void>) {
        self.promise = promise
    }

    private func finish(_ result: Result<Void, any Error>) {
        guard !self.done else { return }
        self.done = true
        self.promise.completeWith(result)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event { self.finish(.success(())) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.finish(.failure(error))
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.finish(.failure(Closed()))
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.finish(.failure(Closed()))
    }
}

@available(*, unavailable)
extension TLSHandshakeWaiter: Sendable {}
