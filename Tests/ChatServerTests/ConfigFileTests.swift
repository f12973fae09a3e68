import ChatTesting
import Foundation
import Testing

/// The shipped config file documents every key, and chatd accepts it as shipped
/// and with every key uncommented.
@Suite struct ConfigFileTests {
    static var shippedConfig: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("etc/chatd/chatd.conf").path
    }

    @Test func shippedFileIsValid() async throws {
        let result = try await runToCompletion(productPath("chatd"), ["--check-config", "--config", Self.shippedConfig])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func everyKeyUncommentedIsValid() async throws {
        let text = try String(contentsOfFile: Self.shippedConfig, encoding: .utf8)
        let uncommented = text.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("#"), line.dropFirst().first?.isLetter == true, line.contains(" = ") || line.hasSuffix(" =") else { return nil }
            return String(line.dropFirst())
        }
        let keys = uncommented.map { $0.split(separator: "=")[0].trimmingCharacters(in: .whitespaces) }
        for key in ["listen", "control_socket", "admin_group", "redis_url", "redis_key_prefix", "max_frame_size",
                    "idle_timeout", "login_timeout", "history_max", "offline_max", "scrypt_n", "log_level", "motd"] {
            #expect(keys.contains(key), "\(key) is not documented")
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("chatd-all-\(UUID().uuidString).conf").path
        try uncommented.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try await runToCompletion(productPath("chatd"), ["--check-config", "--config", path])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func unknownKeyIsNamed() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("chatd-bad-\(UUID().uuidString).conf").path
        try "listen = 127.0.0.1:1\nlisten_port = 5\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try await runToCompletion(productPath("chatd"), ["--check-config", "--config", path])
        #expect(result.status == 1)
        #expect(result.output.contains(":2: unknown key \"listen_port\""))
    }

    /// Flags beat the environment, which beats the file.
    @Test func precedence() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("chatd-prec-\(UUID().uuidString).conf").path
        try "idle_timeout = nonsense\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var environment = ProcessInfo.processInfo.environment
        // The file's bad value is overridden by a good one from the environment...
        environment["CHATD_IDLE_TIMEOUT"] = "30"
        #expect(try await runToCompletion(productPath("chatd"), ["--check-config", "--config", path], environment: environment).status == 0)
        // ...and a bad environment value by a good flag.
        environment["CHATD_REDIS_URL"] = "http://nope"
        #expect(try await runToCompletion(productPath("chatd"), ["--check-config", "--config", path], environment: environment).status == 1)
        #expect(try await runToCompletion(productPath("chatd"), ["--check-config", "--config", path, "--redis", "redis://127.0.0.1:1"],
                                          environment: environment).status == 0)
    }
}
