// SPDX-License-Identifier: Apache-2.0
import Foundation
import NIOConcurrencyHelpers

/// One line a second on stderr while the bench runs: phase, elapsed time and counters.
final class Progress: Sendable {
    private let stats: StatsSet
    private let phase = NIOLockedValueBox("start")
    private let started = Clock.nanoseconds()
    private let quiet: Bool
    private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)

    init(stats: StatsSet, quiet: Bool) {
        self.stats = stats
        self.quiet = quiet
    }

    func enter(_ phase: String) {
        self.phase.withLockedValue { $0 = phase }
        self.say("phase \(phase)")
    }

    func say(_ text: String) {
        guard !self.quiet else { return }
        let line = String(format: "[%7.1fs] ", Clock.seconds(since: self.started)) + text + "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    func start() {
        let task = Task { [self] in
            var last = Counters()
            var lastTime = Clock.nanoseconds()
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                guard !Task.isCancelled, let now = try? await self.stats.counters() else { break }
                let time = Clock.nanoseconds()
                let seconds = max(1e-9, Double(time - lastTime) / 1e9)
                let phase = self.phase.withLockedValue { $0 }
                self.say(
                    String(
                        format: "%@: connected %d, logged in %d, sent %d, delivered %d (%.0f/s), notices %d, errors %d",
                        phase,
                        now.connected,
                        now.loggedIn,
                        now.sent,
                        now.delivered,
                        Double(now.delivered - last.delivered) / seconds,
                        now.notifications,
                        now.errors
                    )
                )
                last = now
                lastTime = time
            }
        }
        self.task.withLockedValue { $0 = task }
    }

    func stop() {
        self.task.withLockedValue { $0?.cancel() }
    }
}
