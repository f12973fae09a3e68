// SPDX-License-Identifier: Apache-2.0
import NIOCore

/// One gathering's frames, in order for each session.
///
/// A broadcast is appended once to `log`, not to every recipient's buffer: the
/// sessions that got every broadcast (nearly all, in a group-message storm) are all
/// written the same bytes at the end, shared, not copied. A session with a frame of
/// its own, or left out of a broadcast (its sender), gets bytes of its own, brought
/// up to date with the log before each of its own frames, so its order holds.
struct Gathering {
    /// Every broadcast frame, one after another.
    private var log = ByteBuffer()
    /// Where each broadcast ends in `log`.
    private var ends: [Int] = []
    /// This loop's sessions when the last broadcast was sent: those without bytes of
    /// their own are owed every broadcast.
    private var recipients: LoopSessions?
    private var own: [ObjectIdentifier: Own] = [:]

    private struct Own {
        let channel: any Channel
        var bytes: ByteBuffer?
        /// The first broadcast not yet in `bytes`.
        var next: Int
    }

    var isEmpty: Bool { self.ends.isEmpty && self.own.isEmpty }

    mutating func broadcast(_ frame: ByteBuffer, to recipients: LoopSessions, except: [SessionID]) {
        if let current = self.recipients, current.generation != recipients.generation {
            // A login or logout on this loop since the last broadcast. Whoever is not in
            // the new sessions keeps what it was owed, as bytes of its own (snapshots taken
            // on two threads may arrive in either order, so "not in" need not mean "left");
            // a newcomer is owed only what follows.
            for session in current.sessions.values where recipients.sessions[session.id] !== session {
                self.catchUp(session)
            }
            for session in recipients.sessions.values where current.sessions[session.id] !== session {
                self.own[ObjectIdentifier(session)] =
                    self.own[ObjectIdentifier(session)]
                    ?? Own(channel: session.channel, bytes: nil, next: self.ends.count)
            }
        }
        self.recipients = recipients
        for id in except {
            guard let session = recipients.sessions[id] else { continue }
            self.catchUp(session)
            self.own[ObjectIdentifier(session)]!.next = self.ends.count + 1  // not this one
        }
        var frame = frame
        self.log.writeBuffer(&frame)
        self.ends.append(self.log.writerIndex)
    }

    mutating func write(_ frame: ByteBuffer, to session: SessionInfo) {
        self.catchUp(session)
        self.append(frame, to: ObjectIdentifier(session))
    }

    /// Gives `session` bytes of its own holding every broadcast it is owed so far.
    private mutating func catchUp(_ session: SessionInfo) {
        let key = ObjectIdentifier(session)
        if self.own[key] == nil {
            let owed = self.recipients?.sessions[session.id] === session
            self.own[key] = Own(channel: session.channel, bytes: nil, next: owed ? 0 : self.ends.count)
        }
        let next = self.own[key]!.next
        guard next < self.ends.count else { return }
        // Into bytes of its own, not a slice: a slice would share the log's storage, and
        // the log's next append would then copy all of it.
        if self.own[key]!.bytes == nil { self.own[key]!.bytes = ByteBuffer() }
        self.append(self.broadcasts(from: next), to: key)
        self.own[key]!.next = self.ends.count
    }

    private mutating func append(_ bytes: ByteBuffer, to key: ObjectIdentifier) {
        if self.own[key]!.bytes == nil {
            self.own[key]!.bytes = bytes
        } else {
            var bytes = bytes
            self.own[key]!.bytes!.writeBuffer(&bytes)
        }
    }

    /// The broadcasts from the `index`th on, as one slice of the log.
    private func broadcasts(from index: Int) -> ByteBuffer {
        let from = index == 0 ? 0 : self.ends[index - 1]
        return self.log.getSlice(at: from, length: self.log.writerIndex - from)!
    }

    /// Hands each channel its bytes, once, and empties the gathering.
    mutating func drain(_ write: (any Channel, ByteBuffer) -> Void) {
        if let recipients = self.recipients, !self.ends.isEmpty {
            let shared = self.broadcasts(from: 0)
            for session in recipients.sessions.values where self.own[ObjectIdentifier(session)] == nil {
                write(session.channel, shared)
            }
        }
        for (_, entry) in self.own {
            var bytes = entry.bytes
            if entry.next < self.ends.count {
                var missed = self.broadcasts(from: entry.next)
                if bytes == nil { bytes = missed } else { bytes!.writeBuffer(&missed) }
            }
            if let bytes { write(entry.channel, bytes) }
        }
        self = Gathering()
    }
}
