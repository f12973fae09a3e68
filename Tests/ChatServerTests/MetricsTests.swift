// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatTesting
import TestTier
import Testing

/// The Prometheus endpoint of the real chatd: scraped over HTTP, and its counters move
/// with what clients do.
@Suite(.integration) struct MetricsTests {
    /// The value of one sample line (`name{labels} value`), or nil when absent.
    private static func value(_ sample: String, in text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(sample + " ") {
            return Double(line.dropFirst(sample.count + 1))
        }
        return nil
    }

    @Test func countersMoveWithWhatClientsDo() async throws {
        try await Deployment.with(environment: ["CHATD_METRICS_LISTEN": "127.0.0.1:0"]) { deployment in
            let match = try #require(deployment.chatd.output.firstMatch(of: /metrics_listen=\S*:(\d+)/))
            let port = try #require(Int(match.1))

            let before = try await HTTPGet.fetch(port: port, path: "/metrics")
            #expect(before.status == 200)
            #expect(before.body.contains("redis_command_duration_seconds_count"))  // chatd's PINGs at start
            #expect(Self.value(#"chatd_logins_total{result="ok"}"#, in: before.body) ?? 0 == 0)

            let ann = try await deployment.user(1, "ann")
            let bob = try await deployment.user(2, "bob")
            try await ann.send(.sms(SmsMes(content: "hello")))
            _ = try await ann.next(Pick.smsResult)
            _ = try await bob.next(Pick.sms)
            let wrong = try await deployment.client()
            #expect(try await wrong.login(1, password: "nope").0.code == StatusCode.wrongPassword)
            await wrong.close()

            let after = try await HTTPGet.fetch(port: port, path: "/metrics").body
            #expect(Self.value(#"chatd_logins_total{result="ok"}"#, in: after) == 2)
            #expect(Self.value(#"chatd_logins_total{result="failed"}"#, in: after) == 1)
            #expect(Self.value(#"chatd_registrations_total{result="ok"}"#, in: after) == 2)
            #expect(Self.value(#"chatd_messages_received_total{type="SmsMes"}"#, in: after) == 1)
            #expect((Self.value(#"chatd_deliveries_total{kind="group"}"#, in: after) ?? 0) >= 1)
            #expect((Self.value("chatd_bytes_received_total", in: after) ?? 0) > 0)
            #expect((Self.value("redis_command_duration_seconds_count", in: after) ?? 0) > 0)
            #expect(after.contains("chatd_event_loop_lag_seconds_bucket"))
            #expect(after.contains("chatd_sessions "))

            #expect(try await HTTPGet.fetch(port: port, path: "/other").status == 404)
            await ann.close()
            await bob.close()
        }
    }
}
