// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import Testing

@testable import ChatServer

/// Every state of a session against every event: the action the handler is to carry
/// out and the state that follows. Combinations that cannot happen are answered with
/// a harmless action, not a crash.
@Suite struct SessionStateMachineTests {
    typealias Machine = SessionStateMachine
    typealias State = SessionStateMachine.State
    typealias InFlight = SessionStateMachine.InFlight

    static let kick = KickedMes(reason: "first")
    static let otherKick = KickedMes(reason: "second")

    static let idle = State.idle
    static let busy = State.busy(InFlight())
    static let busyKicked = State.busy(InFlight(pendingKick: kick))
    static let busyAnswered = State.busy(InFlight(answered: true))
    static let closing = State.closing(nil)
    static let closingBusy = State.closing(InFlight())
    static let closingKicked = State.closing(InFlight(pendingKick: kick))
    static let closingAnswered = State.closing(InFlight(answered: true))
    static let handedOver = State.handedOver

    /// Each table below lists exactly these, in this order.
    static let allStates = [
        idle, busy, busyKicked, busyAnswered, closing, closingBusy, closingKicked, closingAnswered,
        handedOver,
    ]

    /// Runs `event` from each row's state on a machine with an empty queue.
    func check<Action: Equatable>(
        _ table: [(from: State, action: Action, to: State)],
        sourceLocation: SourceLocation = #_sourceLocation,
        _ event: (inout Machine) -> Action
    ) {
        #expect(table.map(\.from) == Self.allStates, "the table covers every state", sourceLocation: sourceLocation)
        for row in table {
            var machine = Machine(maxQueuedRequests: 2, state: row.from)
            let action = event(&machine)
            #expect(action == row.action, "from \(row.from)", sourceLocation: sourceLocation)
            #expect(machine.state == row.to, "from \(row.from)", sourceLocation: sourceLocation)
        }
    }

    // MARK: Every state × every event

    @Test func frameRead() {
        self.check([
            (Self.idle, Machine.FrameAction.process, Self.idle),
            (Self.busy, .process, Self.busy),
            (Self.busyKicked, .process, Self.busyKicked),
            (Self.busyAnswered, .process, Self.busyAnswered),
            (Self.closing, .drop, Self.closing),
            (Self.closingBusy, .drop, Self.closingBusy),
            (Self.closingKicked, .drop, Self.closingKicked),
            (Self.closingAnswered, .drop, Self.closingAnswered),
            (Self.handedOver, .drop, Self.handedOver),
        ]) { $0.frameRead() }
    }

    @Test func requestRead() {
        self.check([
            (Self.idle, Machine.StepAction.startRequest(.onlineUsers, forwardRead: false), Self.busy),
            (Self.busy, .noAction, Self.busy),
            (Self.busyKicked, .noAction, Self.busyKicked),
            (Self.busyAnswered, .noAction, Self.busyAnswered),
            (Self.closing, .noAction, Self.closing),
            (Self.closingBusy, .noAction, Self.closingBusy),
            (Self.closingKicked, .noAction, Self.closingKicked),
            (Self.closingAnswered, .noAction, Self.closingAnswered),
            (Self.handedOver, .noAction, Self.handedOver),
        ]) { $0.requestRead(.onlineUsers) }
    }

    /// Queued behind the one in flight, or not at all once closing.
    @Test func requestReadQueuesOnlyWhileOpen() {
        for state in Self.allStates {
            var machine = Machine(maxQueuedRequests: 2, state: state)
            _ = machine.requestRead(.onlineUsers)
            let queued = machine.queue.count
            #expect(
                queued == ([Self.busy, Self.busyKicked, Self.busyAnswered].contains(state) ? 1 : 0),
                "from \(state)"
            )
        }
    }

    @Test func readRequested() {
        self.check([
            (Self.idle, Machine.ReadAction.forward, Self.idle),
            (Self.busy, .forward, Self.busy),
            (Self.busyKicked, .forward, Self.busyKicked),
            (Self.busyAnswered, .forward, Self.busyAnswered),
            (Self.closing, .forward, Self.closing),
            (Self.closingBusy, .forward, Self.closingBusy),
            (Self.closingKicked, .forward, Self.closingKicked),
            (Self.closingAnswered, .forward, Self.closingAnswered),
            (Self.handedOver, .forward, Self.handedOver),
        ]) { $0.readRequested() }
    }

    @Test func requestAnswered() {
        self.check([
            (Self.idle, true, Self.idle),
            (Self.busy, true, Self.busyAnswered),
            (Self.busyKicked, true, .busy(InFlight(pendingKick: Self.kick, answered: true))),
            (Self.busyAnswered, true, Self.busyAnswered),
            (Self.closing, true, Self.closing),
            (Self.closingBusy, true, Self.closingAnswered),
            (Self.closingKicked, true, .closing(InFlight(pendingKick: Self.kick, answered: true))),
            (Self.closingAnswered, true, Self.closingAnswered),
            (Self.handedOver, true, Self.handedOver),
        ]) { machine in
            machine.requestAnswered()
            return true
        }
    }

    @Test func repliesWritten() {
        self.check([
            (Self.idle, Machine.FinishAction.noAction, Self.idle),
            (Self.busy, .next(.noAction), Self.idle),
            (Self.busyKicked, .closeWithNotice(Self.kick), Self.closing),
            (Self.busyAnswered, .next(.noAction), Self.idle),
            (Self.closing, .noAction, Self.closing),
            (Self.closingBusy, .next(.noAction), Self.closing),
            (Self.closingKicked, .noAction, Self.closing),
            (Self.closingAnswered, .next(.noAction), Self.closing),
            (Self.handedOver, .noAction, Self.handedOver),
        ]) { $0.repliesWritten(close: false) }
    }

    @Test func repliesWrittenClosing() {
        self.check([
            (Self.idle, Machine.FinishAction.noAction, Self.idle),
            (Self.busy, .close, Self.closing),
            (Self.busyKicked, .closeWithNotice(Self.kick), Self.closing),
            (Self.busyAnswered, .close, Self.closing),
            (Self.closing, .noAction, Self.closing),
            (Self.closingBusy, .close, Self.closing),
            (Self.closingKicked, .noAction, Self.closing),
            (Self.closingAnswered, .close, Self.closing),
            (Self.handedOver, .noAction, Self.handedOver),
        ]) { $0.repliesWritten(close: true) }
    }

    @Test func closeRequested() {
        self.check([
            (Self.idle, Machine.CloseAction.sendNoticeAndClose, Self.closing),
            (Self.busy, .sendNoticeAndClose, Self.closingBusy),
            (Self.busyKicked, .sendNoticeAndClose, Self.closingKicked),
            (Self.busyAnswered, .sendNoticeAndClose, Self.closingAnswered),
            (Self.closing, .noAction, Self.closing),
            (Self.closingBusy, .noAction, Self.closingBusy),
            (Self.closingKicked, .noAction, Self.closingKicked),
            (Self.closingAnswered, .noAction, Self.closingAnswered),
            (Self.handedOver, .noAction, Self.handedOver),
        ]) { $0.closeRequested() }
    }

    /// Waits for the request with the router; once it is answered, closes at once.
    @Test func kick() {
        self.check([
            (Self.idle, Machine.CloseAction.sendNoticeAndClose, Self.closing),
            (Self.busy, .noAction, .busy(InFlight(pendingKick: Self.otherKick))),
            (Self.busyKicked, .noAction, .busy(InFlight(pendingKick: Self.otherKick))),
            (Self.busyAnswered, .sendNoticeAndClose, Self.closingAnswered),
            (Self.closing, .noAction, Self.closing),
            (Self.closingBusy, .noAction, .closing(InFlight(pendingKick: Self.otherKick))),
            (Self.closingKicked, .noAction, .closing(InFlight(pendingKick: Self.otherKick))),
            (Self.closingAnswered, .noAction, Self.closingAnswered),
            (Self.handedOver, .noAction, Self.handedOver),
        ]) { $0.kick(Self.otherKick) }
    }

    @Test func channelInactive() {
        typealias Inactive = Machine.InactiveAction
        self.check([
            (Self.idle, Inactive.ended(.dropped, tellRouter: false), Self.closing),
            (Self.busy, .ended(.dropped, tellRouter: true), Self.closingBusy),
            (Self.busyKicked, .ended(.dropped, tellRouter: true), Self.closingKicked),
            (Self.busyAnswered, .ended(.dropped, tellRouter: false), Self.closingAnswered),
            (Self.closing, .ended(.dropped, tellRouter: false), Self.closing),
            (Self.closingBusy, .ended(.dropped, tellRouter: true), Self.closingBusy),
            (Self.closingKicked, .ended(.dropped, tellRouter: true), Self.closingKicked),
            (Self.closingAnswered, .ended(.dropped, tellRouter: false), Self.closingAnswered),
            (Self.handedOver, .handedOver, Self.handedOver),
        ]) { $0.channelInactive(loggedIn: false) }
    }

    @Test func channelInactiveLoggedIn() {
        typealias Inactive = Machine.InactiveAction
        self.check([
            (Self.idle, Inactive.ended(.dropped, tellRouter: true), Self.closing),
            (Self.busy, .ended(.dropped, tellRouter: true), Self.closingBusy),
            (Self.busyKicked, .ended(.dropped, tellRouter: true), Self.closingKicked),
            (Self.busyAnswered, .ended(.dropped, tellRouter: true), Self.closingAnswered),
            (Self.closing, .ended(.dropped, tellRouter: true), Self.closing),
            (Self.closingBusy, .ended(.dropped, tellRouter: true), Self.closingBusy),
            (Self.closingKicked, .ended(.dropped, tellRouter: true), Self.closingKicked),
            (Self.closingAnswered, .ended(.dropped, tellRouter: true), Self.closingAnswered),
            (Self.handedOver, .handedOver, Self.handedOver),
        ]) { $0.channelInactive(loggedIn: true) }
    }

    @Test func pauseRequested() {
        self.check([
            (Self.idle, Machine.PauseAction.completePause, Self.idle),
            (Self.busy, .awaitDrain, Self.busy),
            (Self.busyKicked, .awaitDrain, Self.busyKicked),
            (Self.busyAnswered, .completePause, Self.busyAnswered),
            (Self.closing, .completePause, Self.closing),
            (Self.closingBusy, .awaitDrain, Self.closingBusy),
            (Self.closingKicked, .awaitDrain, Self.closingKicked),
            (Self.closingAnswered, .completePause, Self.closingAnswered),
            (Self.handedOver, .completePause, Self.handedOver),
        ]) { $0.pauseRequested() }
    }

    /// Without a pause waiting, the grace has nothing to complete.
    @Test func pauseGraceExpired() {
        self.check(Self.allStates.map { (from: $0, action: false, to: $0) }) { $0.pauseGraceExpired() }
    }

    @Test func handOverRequested() {
        self.check([
            (Self.idle, Machine.HandOverAction.flush, Self.idle),
            (Self.busy, .refuse(.sendNoticeAndClose), Self.closingBusy),
            (Self.busyKicked, .refuse(.sendNoticeAndClose), Self.closingKicked),
            (Self.busyAnswered, .flush, Self.busyAnswered),
            (Self.closing, .refuse(.noAction), Self.closing),
            (Self.closingBusy, .refuse(.noAction), Self.closingBusy),
            (Self.closingKicked, .refuse(.noAction), Self.closingKicked),
            (Self.closingAnswered, .refuse(.noAction), Self.closingAnswered),
            (Self.handedOver, .refuse(.noAction), Self.handedOver),
        ]) { $0.handOverRequested(kept: true, loggedIn: true) }
    }

    /// A session not kept, or not logged in, is told to come back instead.
    @Test func handOverRequestedNotKeptOrLoggedOut() {
        for (kept, loggedIn) in [(false, true), (true, false), (false, false)] {
            var machine = Machine(maxQueuedRequests: 2)
            #expect(machine.handOverRequested(kept: kept, loggedIn: loggedIn) == .refuse(.sendNoticeAndClose))
            #expect(machine.state == Self.closing)
            #expect(machine.ending == .deliberate)
        }
    }

    @Test func handOverFlushed() {
        self.check([
            (Self.idle, Machine.HandedOverAction.complete, Self.handedOver),
            (Self.busy, .complete, Self.handedOver),
            (Self.busyKicked, .complete, Self.handedOver),
            (Self.busyAnswered, .complete, Self.handedOver),
            (Self.closing, .giveUp, Self.closing),
            (Self.closingBusy, .giveUp, Self.closingBusy),
            (Self.closingKicked, .giveUp, Self.closingKicked),
            (Self.closingAnswered, .giveUp, Self.closingAnswered),
            (Self.handedOver, .giveUp, Self.handedOver),
        ]) { $0.handOverFlushed(success: true) }
    }

    @Test func handOverFlushFailed() {
        let table = Self.allStates.map { (from: $0, action: Machine.HandedOverAction.giveUp, to: $0) }
        self.check(table) { $0.handOverFlushed(success: false) }
    }

    @Test func logoutRead() {
        for state in Self.allStates {
            var machine = Machine(maxQueuedRequests: 2, state: state)
            machine.logoutRead()
            #expect(machine.ending == .loggedOut)
            #expect(machine.state == state)
        }
    }

    // MARK: Sequences

    /// Past `maxQueuedRequests` waiting, reads are held; the one held is forwarded when
    /// the next request starts and the queue has room again.
    @Test func backpressure() {
        var machine = Machine(maxQueuedRequests: 2)
        #expect(machine.requestRead(.onlineUsers) == .startRequest(.onlineUsers, forwardRead: false))
        #expect(machine.requestRead(.logout) == .noAction)
        #expect(machine.readRequested() == .forward)
        #expect(machine.requestRead(.onlineUsers) == .noAction)
        #expect(machine.readRequested() == .hold)
        #expect(machine.readPending)
        machine.requestAnswered()
        #expect(machine.repliesWritten(close: false) == .next(.startRequest(.logout, forwardRead: true)))
        #expect(!machine.readPending)
        #expect(machine.queue == [.onlineUsers])
        machine.requestAnswered()
        #expect(machine.repliesWritten(close: false) == .next(.startRequest(.onlineUsers, forwardRead: false)))
        #expect(machine.queue.isEmpty)
        machine.requestAnswered()
        #expect(machine.repliesWritten(close: false) == .next(.noAction))
        #expect(machine.state == .idle)
    }

    /// A pause holds every read, and completes once the queue is answered, not before.
    @Test func pauseWaitsForTheQueue() {
        var machine = Machine(maxQueuedRequests: 2)
        _ = machine.requestRead(.onlineUsers)
        _ = machine.requestRead(.history(HistoryMes()))
        #expect(machine.pauseRequested() == .awaitDrain)
        #expect(machine.readRequested() == .hold)
        #expect(!machine.readPending)
        machine.requestAnswered()
        #expect(
            machine.repliesWritten(close: false) == .next(.startRequest(.history(HistoryMes()), forwardRead: false))
        )
        machine.requestAnswered()
        #expect(machine.repliesWritten(close: false) == .next(.completePause))
        #expect(!machine.awaitingPause)
        let graceCompletes = machine.pauseGraceExpired()
        #expect(!graceCompletes)
    }

    /// A request stuck on Redis: the grace completes the pause, once.
    @Test func pauseGraceCompletesOnce() {
        var machine = Machine(maxQueuedRequests: 2)
        _ = machine.requestRead(.onlineUsers)
        #expect(machine.pauseRequested() == .awaitDrain)
        let firstGrace = machine.pauseGraceExpired()
        #expect(firstGrace)
        let secondGrace = machine.pauseGraceExpired()
        #expect(!secondGrace)
        machine.requestAnswered()
        #expect(machine.repliesWritten(close: false) == .next(.noAction))
    }

    /// The end of the connection completes a waiting pause (the handler succeeds it).
    @Test func inactiveEndsAWaitingPause() {
        var machine = Machine(maxQueuedRequests: 2)
        _ = machine.requestRead(.onlineUsers)
        _ = machine.pauseRequested()
        #expect(machine.channelInactive(loggedIn: true) == .ended(.dropped, tellRouter: true))
        #expect(!machine.awaitingPause)
    }

    /// How the session ends, as the router is told.
    @Test func ending() {
        var dropped = Machine(maxQueuedRequests: 2)
        #expect(dropped.channelInactive(loggedIn: true) == .ended(.dropped, tellRouter: true))

        var closed = Machine(maxQueuedRequests: 2)
        _ = closed.closeRequested()
        #expect(closed.channelInactive(loggedIn: true) == .ended(.deliberate, tellRouter: true))

        var kicked = Machine(maxQueuedRequests: 2)
        _ = kicked.requestRead(.onlineUsers)
        _ = kicked.kick(Self.kick)
        kicked.requestAnswered()
        #expect(kicked.repliesWritten(close: false) == .closeWithNotice(Self.kick))
        #expect(kicked.channelInactive(loggedIn: true) == .ended(.deliberate, tellRouter: true))

        var loggedOut = Machine(maxQueuedRequests: 2)
        loggedOut.logoutRead()
        _ = loggedOut.requestRead(.logout)
        loggedOut.requestAnswered()
        #expect(loggedOut.repliesWritten(close: true) == .close)
        #expect(loggedOut.channelInactive(loggedIn: true) == .ended(.loggedOut, tellRouter: true))
    }
}
