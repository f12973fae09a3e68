// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import ChatTesting
import TestTier
import Testing

/// A Redis that takes a command and does not answer in time: the sender is told the
/// outcome is unknown (504), not "not stored" (503), so it checks before resending.
@Suite(.integration) struct UnknownOutcomeTests {
    @Test func aTimedOutSendIsReportedAsUnknownNotAsNotStored() async throws {
        try await Deployment.with(environment: ["CHATD_REDIS_TIMEOUT": "1", "CHATD_RATE_LIMIT": "0"]) { deployment in
            let ann = try await deployment.user(1, "ann")
            // Redis holds every write for 3 s: chatd's XADD is sent and gets no answer within 1 s.
            try await deployment.redis.command(["CLIENT", "PAUSE", "3000", "WRITE"])
            try await ann.send(.sms(SmsMes(content: "during the pause")))
            let result = try await ann.next(Pick.smsResult, timeout: .seconds(20))
            #expect(result.code == StatusCode.outcomeUnknown)
            #expect(result.error.contains("outcome unknown"))
            try await deployment.redis.command(["CLIENT", "UNPAUSE"])

            // Once Redis answers again, a send is acknowledged as usual.
            var acknowledged: SmsResMes?
            for _ in 0..<100 where acknowledged == nil {
                try await ann.send(.sms(SmsMes(content: "after the pause")))
                let reply = try await ann.next(Pick.smsResult, timeout: .seconds(20))
                if reply.code == StatusCode.ok {
                    acknowledged = reply
                } else {
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            #expect(acknowledged != nil)
            await ann.close()
        }
    }
}
