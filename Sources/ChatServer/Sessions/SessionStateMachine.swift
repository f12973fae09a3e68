// SPDX-License-Identifier: Apache-2.0
import ChatProtocol

/// A session's life as a value: `SessionHandler` feeds it events and carries out the
/// actions it returns, so every transition can be tested without a channel. It holds
/// the requests waiting for the one in flight, whether the socket read is held back,
/// a handover's pause, and how the session ends.
struct SessionStateMachine {
    /// A request handed to the router, and a kick that waits for its answer.
    struct InFlight: Equatable {
        var pendingKick: KickedMes?
        /// The router has answered; its replies are being written. A kick now closes at
        /// once, and the session no longer counts as waiting on the router.
        var answered = false
    }

    enum State: Equatable {
        /// Nothing in flight: the next queued request may start.
        case idle
        /// One request with the router, or its replies being written.
        case busy(InFlight)
        /// Ending: nothing more starts or is written. A request may still be in flight.
        case closing(InFlight?)
        /// Passed to the next process: this one only closes its descriptor.
        case handedOver
    }

    let maxQueuedRequests: Int
    private(set) var state: State
    /// Requests waiting for the one in flight: a plain array, so an idle session holds
    /// no buffer (the queue is short, bounded by `maxQueuedRequests`).
    private(set) var queue: [ClientMessage] = []
    /// A read the pipeline asked for while the queue was full: forwarded once it drains.
    private(set) var readPending = false
    /// A handover stopped reading.
    private(set) var pausing = false
    /// The handover waits for the queued requests to be answered.
    private(set) var awaitingPause = false
    /// How the session ends: on purpose (logout, kick, timeout, bad input) the others are
    /// told at once, without the presence grace; after a logout its tokens are revoked too.
    private(set) var ending = SessionEnding.dropped

    /// `state`: other than idle only in tests.
    init(maxQueuedRequests: Int, state: State = .idle) {
        self.maxQueuedRequests = maxQueuedRequests
        self.state = state
    }

    var isClosing: Bool {
        switch self.state {
        case .idle, .busy: return false
        case .closing, .handedOver: return true
        }
    }

    /// A request is with the router (not yet answered).
    var requestInFlight: Bool {
        switch self.state {
        case .busy(let inFlight), .closing(.some(let inFlight)): return !inFlight.answered
        case .idle, .closing(.none), .handedOver: return false
        }
    }

    // MARK: Inbound

    enum FrameAction: Equatable {
        case process
        /// The session is ending: the frame is dropped unread.
        case drop
    }

    func frameRead() -> FrameAction {
        self.isClosing ? .drop : .process
    }

    /// The user said they are leaving: no grace and no more tokens, even when the
    /// connection's end is seen before the request is handled (a client closes right after).
    mutating func logoutRead() {
        self.ending = .loggedOut
    }

    enum StepAction: Equatable {
        case noAction
        /// Hand `message` to the router; `forwardRead` first passes on a read held back.
        case startRequest(ClientMessage, forwardRead: Bool)
        /// Nothing is queued or in flight any more: the handover's pause is complete.
        case completePause
    }

    /// A decoded request, queued behind the one in flight.
    mutating func requestRead(_ message: ClientMessage) -> StepAction {
        // Frames are dropped before decoding once closing (`frameRead`); one that still
        // arrives is not queued, as nothing would answer it.
        guard !self.isClosing else { return .noAction }
        self.queue.append(message)
        return self.step()
    }

    enum ReadAction: Equatable {
        case forward
        /// Held back: paused for a handover, or the queue is full (then `readPending`).
        case hold
    }

    mutating func readRequested() -> ReadAction {
        if self.pausing { return .hold }
        if self.queue.count >= self.maxQueuedRequests {
            self.readPending = true
            return .hold
        }
        return .forward
    }

    enum FinishAction: Equatable {
        /// Go on with `StepAction`.
        case next(StepAction)
        /// A kick arrived while the request was in flight: send it, then close.
        case closeWithNotice(KickedMes)
        /// The request ended the session (a logout): close now.
        case close
        /// Closing already: the notice under way is left to finish.
        case noAction
    }

    /// The router answered; the handler writes the replies next, then `repliesWritten`.
    mutating func requestAnswered() {
        switch self.state {
        case .busy(var inFlight):
            inFlight.answered = true
            self.state = .busy(inFlight)
        case .closing(.some(var inFlight)):
            inFlight.answered = true
            self.state = .closing(inFlight)
        case .idle, .closing(.none), .handedOver:
            break  // no request was in flight: nothing to mark
        }
    }

    /// The replies to the answered request are written; `close` when it ends the session.
    mutating func repliesWritten(close: Bool) -> FinishAction {
        switch self.state {
        case .busy(let inFlight):
            if let notice = inFlight.pendingKick {
                self.state = .closing(nil)
                self.ending.becomeDeliberate()
                return .closeWithNotice(notice)
            }
            if close {
                self.state = .closing(nil)
                self.ending.becomeDeliberate()
                return .close
            }
            self.state = .idle
            return .next(self.step())
        case .closing(.some(let inFlight)):
            self.state = .closing(nil)
            // A kick waiting here would have closed with its notice, which closing already does.
            if inFlight.pendingKick != nil { return .noAction }
            if close {
                self.ending.becomeDeliberate()
                return .close
            }
            return .next(self.step())
        case .idle, .closing(.none), .handedOver:
            // No request was in flight: nothing to finish.
            return .noAction
        }
    }

    // MARK: Ending

    enum CloseAction: Equatable {
        /// Write the last message, then close.
        case sendNoticeAndClose
        /// Closing already.
        case noAction
    }

    /// The session is to end with a last message (timeout, bad input, slow consumer).
    mutating func closeRequested() -> CloseAction {
        switch self.state {
        case .idle:
            self.state = .closing(nil)
        case .busy(let inFlight):
            self.state = .closing(inFlight)
        case .closing, .handedOver:
            return .noAction
        }
        self.ending.becomeDeliberate()
        return .sendNoticeAndClose
    }

    /// An administrator's or the rules' kick: applied once the request in flight is answered.
    mutating func kick(_ notice: KickedMes) -> CloseAction {
        switch self.state {
        case .busy(var inFlight) where !inFlight.answered:
            inFlight.pendingKick = notice
            self.state = .busy(inFlight)
            return .noAction
        case .closing(.some(var inFlight)) where !inFlight.answered:
            inFlight.pendingKick = notice
            self.state = .closing(inFlight)
            return .noAction
        case .idle, .busy, .closing, .handedOver:
            return self.closeRequested()
        }
    }

    enum InactiveAction: Equatable {
        /// The session goes on in the next process: no one is told, nothing is revoked.
        case handedOver
        /// The session is over; `tellRouter` when it was logged in or a login may be in
        /// flight (the router may register it after this point and must remove it).
        case ended(SessionEnding, tellRouter: Bool)
    }

    mutating func channelInactive(loggedIn: Bool) -> InactiveAction {
        self.awaitingPause = false
        switch self.state {
        case .handedOver:
            return .handedOver
        case .idle:
            self.state = .closing(nil)
        case .busy(let inFlight):
            self.state = .closing(inFlight)
        case .closing:
            break
        }
        return .ended(self.ending, tellRouter: loggedIn || self.requestInFlight)
    }

    // MARK: Handover

    enum PauseAction: Equatable {
        /// Nothing queued or in flight: the pause is complete.
        case completePause
        /// Complete it once the queue drains (`StepAction.completePause`) or after a grace.
        case awaitDrain
    }

    /// Stop reading: from now on every read is held back.
    mutating func pauseRequested() -> PauseAction {
        self.pausing = true
        guard self.requestInFlight || !self.queue.isEmpty else { return .completePause }
        self.awaitingPause = true
        return .awaitDrain
    }

    /// True when the pause was still waiting and is to complete now.
    mutating func pauseGraceExpired() -> Bool {
        defer { self.awaitingPause = false }
        return self.awaitingPause
    }

    enum HandOverAction: Equatable {
        /// Flush what is written, then `handOverFlushed`.
        case flush
        /// Cannot be passed on: the client is told to come back (unless closing already),
        /// at once, even with a request in flight.
        case refuse(CloseAction)
    }

    mutating func handOverRequested(kept: Bool, loggedIn: Bool) -> HandOverAction {
        guard kept, loggedIn, !self.isClosing, !self.requestInFlight, self.queue.isEmpty else {
            return .refuse(self.closeRequested())
        }
        return .flush
    }

    enum HandedOverAction: Equatable {
        /// Take the unfinished frame, pass the session on and close the descriptor.
        case complete
        /// The flush failed or the session is ending: not passed on.
        case giveUp
    }

    mutating func handOverFlushed(success: Bool) -> HandedOverAction {
        guard success, !self.isClosing else { return .giveUp }
        self.state = .handedOver
        return .complete
    }

    // MARK: Private

    /// Starts the next queued request when idle. While an answer's replies are being
    /// written, requests stay queued: `repliesWritten` steps on once they are out.
    private mutating func step() -> StepAction {
        guard self.state == .idle, !self.queue.isEmpty else {
            if !self.requestInFlight, self.queue.isEmpty, self.awaitingPause {
                self.awaitingPause = false
                return .completePause
            }
            return .noAction
        }
        let message = self.queue.removeFirst()
        if self.queue.isEmpty { self.queue = [] }  // an idle session keeps no buffer
        var forwardRead = false
        if self.readPending, !self.pausing, self.queue.count < self.maxQueuedRequests {
            self.readPending = false
            forwardRead = true
        }
        self.state = .busy(InFlight())
        return .startRequest(message, forwardRead: forwardRead)
    }
}
