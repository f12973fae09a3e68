// SPDX-License-Identifier: Apache-2.0
import Foundation
import NIOSSL

/// Certificates made with the `openssl` command for one test, in a temp directory:
/// a CA, a server certificate for `localhost` and 127.0.0.1 signed by it, and an
/// unrelated second CA (whose key also serves as a key that matches nothing).
public struct TestCertificates: Sendable {
    public let directory: String
    public var caCertificate: String { directory + "/ca.pem" }
    public var serverCertificate: String { directory + "/server.pem" }
    public var serverKey: String { directory + "/server.key" }
    public var otherCACertificate: String { directory + "/other-ca.pem" }
    public var otherKey: String { directory + "/other-ca.key" }

    /// chatd config lines for a TLS listener on a free loopback port.
    public var chatdConfig: String {
        "tls_listen = 127.0.0.1:0\ntls_certificate = \(serverCertificate)\ntls_key = \(serverKey)\n"
    }

    static let openssl = "/usr/bin/openssl"

    static let opensslConfig = """
        [req]
        distinguished_name = dn
        prompt = no
        [dn]
        CN = chatd test
        [ca_ext]
        basicConstraints = critical,CA:TRUE
        keyUsage = critical,keyCertSign,cRLSign
        subjectKeyIdentifier = hash
        [server_ext]
        basicConstraints = CA:FALSE
        keyUsage = critical,digitalSignature
        extendedKeyUsage = serverAuth
        subjectAltName = DNS:localhost,IP:127.0.0.1
        authorityKeyIdentifier = keyid

        """

    public static func make() async throws -> TestCertificates {
        let directory = try TestSockets.temporaryDirectory()
        let certificates = TestCertificates(directory: directory)
        let config = directory + "/openssl.cnf"
        try opensslConfig.write(toFile: config, atomically: true, encoding: .utf8)
        let newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        func run(_ arguments: [String]) async throws {
            let result = try await runToCompletion(openssl, arguments)
            guard result.status == 0 else {
                throw SpawnError.failed("openssl \(arguments.joined(separator: " ")): \(result.output)", result.status)
            }
        }
        for (name, subject) in [("ca", "/CN=chatd test CA"), ("other-ca", "/CN=unrelated test CA")] {
            try await run(
                ["req", "-x509", "-config", config, "-extensions", "ca_ext"] + newKey + [
                    "-keyout", "\(directory)/\(name).key", "-out", "\(directory)/\(name).pem", "-days", "2", "-subj",
                    subject,
                ]
            )
        }
        try await run(
            ["req", "-new", "-config", config] + newKey + [
                "-keyout", certificates.serverKey, "-out", directory + "/server.csr", "-subj", "/CN=localhost",
            ]
        )
        try await run([
            "x509", "-req", "-in", directory + "/server.csr", "-CA", certificates.caCertificate,
            "-CAkey", directory + "/ca.key", "-set_serial", "2", "-days", "2",
            "-extfile", config, "-extensions", "server_ext", "-out", certificates.serverCertificate,
        ])
        return certificates
    }

    /// A client context that trusts only `caFile`'s certificates.
    public static func clientContext(trusting caFile: String) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
        return try NIOSSLContext(configuration: configuration)
    }

    public func remove() {
        TestSockets.removeDirectory(directory)
    }
}
