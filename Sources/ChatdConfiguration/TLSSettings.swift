// SPDX-License-Identifier: Apache-2.0
import NIOSSL

extension ChatdConfig {
    /// Whether TLS is configured: a certificate and its key.
    public var tlsConfigured: Bool { !tlsCertificate.isEmpty || !tlsKey.isEmpty }

    /// The server's TLS context from `tls_certificate` and `tls_key`; nil when neither
    /// is set. Every way these can be wrong is a `ConfigError` naming the key and the
    /// file: unset while the other is set or while `tls_listen` is, unreadable, not
    /// PEM, or a key that does not belong to the certificate.
    public func tlsContext() throws(ConfigError) -> NIOSSLContext? {
        guard tlsConfigured else {
            if let tlsListen {
                throw .invalid(
                    key: ConfigKey.tlsListen.rawValue,
                    value: "\(tlsListen)",
                    "a TLS listener needs tls_certificate and tls_key"
                )
            }
            return nil
        }
        guard !tlsCertificate.isEmpty else {
            throw .invalid(
                key: ConfigKey.tlsCertificate.rawValue,
                value: "",
                "tls_key is set, so the certificate is needed too"
            )
        }
        guard !tlsKey.isEmpty else {
            throw .invalid(
                key: ConfigKey.tlsKey.rawValue,
                value: "",
                "tls_certificate is set, so its key is needed too"
            )
        }
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(Array(Self.tlsFile(.tlsCertificate, tlsCertificate).utf8))
        } catch let error as ConfigError {
            throw error
        } catch {
            throw .invalid(
                key: ConfigKey.tlsCertificate.rawValue,
                value: tlsCertificate,
                "not a PEM certificate (\(error))"
            )
        }
        guard !chain.isEmpty else {
            throw .invalid(
                key: ConfigKey.tlsCertificate.rawValue,
                value: tlsCertificate,
                "no PEM certificate in the file"
            )
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(bytes: Array(Self.tlsFile(.tlsKey, tlsKey).utf8), format: .pem)
        } catch let error as ConfigError {
            throw error
        } catch {
            throw .invalid(key: ConfigKey.tlsKey.rawValue, value: tlsKey, "not an unencrypted PEM private key")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) },
            privateKey: .privateKey(key)
        )
        configuration.minimumTLSVersion = .tlsv12
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            // BoringSSL refuses a key whose public half differs from the certificate's.
            throw .invalid(
                key: ConfigKey.tlsKey.rawValue,
                value: tlsKey,
                "the key does not match the certificate \(tlsCertificate)"
            )
        }
    }

    /// A PEM file's text; unreadable files name the key too.
    private static func tlsFile(_ key: ConfigKey, _ path: String) throws(ConfigError) -> String {
        do {
            return try read(path)
        } catch .unreadable(_, let why) {
            throw .invalid(key: key.rawValue, value: path, "cannot read the file: \(why)")
        } catch {
            throw error
        }
    }
}
