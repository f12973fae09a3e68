// SPDX-License-Identifier: Apache-2.0

import ChatServer
import ChatdConfiguration
import NIOSSL
import Systemd

/// Where chatd's sockets come from: systemd (socket activation, by name) or,
/// when none are passed, the configured addresses. The TLS chat socket is optional:
/// systemd's `chat-tls` if passed, else `tls_listen` if set.
struct Listeners {
    var chat: ListenerSource
    var control: ControlListenerSource
    var tls: (source: ListenerSource, context: NIOSSLContext)?
    /// The Prometheus endpoint: systemd's `metrics` socket, else `metrics_listen`, else none.
    var metrics: ListenerSource?
    var activated: Bool
    /// What systemd's store passed back: the previous process's sessions.
    var kept = KeptDescriptors()

    static func resolve(_ config: ChatdConfig) throws -> Listeners {
        let context = try config.tlsContext()
        var passed = try ListenFDs.take()
        let kept = Self.takeKept(&passed)
        var listeners: Listeners
        var tlsSource: ListenerSource?
        if passed.isEmpty {
            listeners = Listeners(
                chat: .bind(host: config.listen.host, port: config.listen.port),
                control: .bind(path: config.controlSocket),
                activated: false
            )
        } else {
            let named = try passed.expect(
                names: ["chat": .tcpListener, "control": .unixListener],
                optional: ["chat-tls": .tcpListener, "metrics": .tcpListener]
            )
            let chat = named["chat"]!.fd
            let control = named["control"]!.fd
            listeners = Listeners(
                chat: .adopt(fd: chat, backlog: adoptionBacklog(fd: chat)),
                control: .adopt(fd: control, backlog: adoptionBacklog(fd: control)),
                activated: true
            )
            if let tls = named["chat-tls"]?.fd {
                tlsSource = .adopt(fd: tls, backlog: adoptionBacklog(fd: tls))
            }
            if let metrics = named["metrics"]?.fd {
                listeners.metrics = .adopt(fd: metrics, backlog: adoptionBacklog(fd: metrics))
            }
        }
        if listeners.metrics == nil, let address = config.metricsListen {
            listeners.metrics = .bind(host: address.host, port: address.port)
        }
        if tlsSource == nil, let address = config.tlsListen {
            tlsSource = .bind(host: address.host, port: address.port)
        }
        if let tlsSource {
            guard let context else { throw ListenersError.tlsSocketWithoutCertificate }
            listeners.tls = (tlsSource, context)
        }
        listeners.kept = kept
        return listeners
    }

    /// Removes the store's descriptors from `passed`, leaving the sockets units pass.
    private static func takeKept(_ passed: inout [ListenFD]) -> KeptDescriptors {
        var kept = KeptDescriptors()
        passed.removeAll { fd in
            switch fd.name {
            case KeptName.session: kept.sessions.append(fd.fd)
            case KeptName.table: kept.table = fd.fd
            case KeptName.handover: kept.handover = fd.fd
            default: return false
            }
            return true
        }
        return kept
    }
}

enum ListenersError: Error, CustomStringConvertible {
    case tlsSocketWithoutCertificate

    var description: String {
        "systemd passed a chat-tls socket, but tls_certificate and tls_key are not set"
    }
}
