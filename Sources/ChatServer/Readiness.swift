// SPDX-License-Identifier: Apache-2.0
import NIOConcurrencyHelpers

/// When every part of the daemon serves, and where: each service says so once it
/// listens; the daemon tells systemd `READY=1` when all have.
public final class Readiness: Sendable {
    private struct State {
        var waiting: Set<String>
        var addresses: [String: String] = [:]
        var waiters: [Int: CheckedContinuation<[String: String]?, Never>] = [:]
        var nextWaiter = 0
    }

    private let state: NIOLockedValueBox<State>

    public init(parts: Set<String>) {
        self.state = NIOLockedValueBox(State(waiting: parts))
    }

    /// `part` serves; `addresses` are logged with the ready line.
    public func ready(_ part: String, addresses: [String: String] = [:]) {
        let (waiters, all) = self.state.withLockedValue { state in
            state.waiting.remove(part)
            state.addresses.merge(addresses) { $1 }
            guard state.waiting.isEmpty else {
                return ([CheckedContinuation<[String: String]?, Never>](), [String: String]())
            }
            defer { state.waiters = [:] }
            return (Array(state.waiters.values), state.addresses)
        }
        for waiter in waiters { waiter.resume(returning: all) }
    }

    /// Every part's addresses once all are ready; nil when cancelled first (a stop
    /// during startup).
    public func wait() async -> [String: String]? {
        let id = self.state.withLockedValue { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let done = self.state.withLockedValue { state -> [String: String]?? in
                    if state.waiting.isEmpty { return .some(state.addresses) }
                    if Task.isCancelled { return .some(nil) }
                    state.waiters[id] = continuation
                    return .none
                }
                if let done { continuation.resume(returning: done) }
            }
        } onCancel: {
            self.state.withLockedValue { $0.waiters.removeValue(forKey: id) }?.resume(returning: nil)
        }
    }
}
