import ChatServer
import Systemd

/// Where chatd's two sockets come from: systemd (socket activation, by name) or,
/// when none are passed, the configured addresses.
struct Listeners {
    var chat: ListenerSource
    var control: ControlListenerSource
    var activated: Bool

    static func resolve(_ config: ChatdConfig) throws -> Listeners {
        let passed = try ListenFDs.take()
        guard !passed.isEmpty else {
            return Listeners(chat: .bind(host: config.listen.host, port: config.listen.port),
                             control: .bind(path: config.controlSocket), activated: false)
        }
        let named = try passed.expect(names: ["chat": .tcpListener, "control": .unixListener])
        let chat = named["chat"]!.fd
        let control = named["control"]!.fd
        return Listeners(chat: .adopt(fd: chat, backlog: adoptionBacklog(fd: chat)),
                         control: .adopt(fd: control, backlog: adoptionBacklog(fd: control)), activated: true)
    }
}
