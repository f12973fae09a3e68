// SPDX-License-Identifier: Apache-2.0
import NIOCore

/// What a server frame is, read from the envelope's first bytes without parsing
/// JSON: the bench handles hundreds of thousands of frames a second, and a login
/// reply names every online user, so full decoding would measure the bench.
enum FrameKind: Sendable {
    case loginResult, registerResult, sms, smsResult, privateMessage, privateResult
    case notify, offline, historyResult, error, kicked, ping, pong, other
}

enum FrameScan {
    // Envelope.frame() writes `{"type":"<Type>","data":…`; the type starts at byte 9.
    private static let typeOffset = 9
    private static let names: [(String, FrameKind)] = [
        ("SmsMes", .sms), ("PrivateMes", .privateMessage), ("NotifyUserStatusMes", .notify),
        ("SmsResMes", .smsResult), ("PrivateResMes", .privateResult), ("LoginResMes", .loginResult),
        ("RegisterResMes", .registerResult), ("OfflineMes", .offline), ("HistoryResMes", .historyResult),
        ("ErrorMes", .error),
        ("KickedMes", .kicked), ("PingMes", .ping), ("PongMes", .pong),
    ]
    private static let kinds: [(name: [UInt8], kind: FrameKind)] = names.map { (Array(($0.0 + "\"").utf8), $0.1) }

    static func kind(of body: ByteBuffer) -> FrameKind {
        body.withUnsafeReadableBytes { bytes in
            guard bytes.count > typeOffset else { return .other }
            for (name, kind) in kinds where bytes.count >= typeOffset + name.count {
                var match = true
                for i in 0..<name.count where bytes[typeOffset + i] != name[i] {
                    match = false
                    break
                }
                if match { return kind }
            }
            return .other
        }
    }

    // Inside the envelope the payload is a JSON string, so its quotes are escaped.
    private static let codeKey = Array(#"\"code\":"#.utf8)
    private static let tokenKey = Array(#"\"token\":\""#.utf8)
    private static let stampKey = Array(Payload.marker.utf8)

    /// The payload's `code`, or nil. Searched from the end: in a login reply it
    /// follows the (long) `UserIds` array.
    static func code(in body: ByteBuffer) -> Int? {
        body.withUnsafeReadableBytes { bytes in
            guard let at = lastIndex(of: codeKey, in: bytes) else { return nil }
            return integer(in: bytes, from: at + codeKey.count).map { Int($0) }
        }
    }

    /// The resume token of a login reply, or nil.
    static func token(in body: ByteBuffer) -> String? {
        body.withUnsafeReadableBytes { bytes in
            guard let at = lastIndex(of: tokenKey, in: bytes) else { return nil }
            var end = at + tokenKey.count
            let start = end
            while end < bytes.count, bytes[end] != UInt8(ascii: "\\"), bytes[end] != UInt8(ascii: "\"") { end += 1 }
            guard end > start else { return nil }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        }
    }

    /// The send time a bench message carries (`Payload.marker` + ns), or nil.
    static func sendTime(in body: ByteBuffer) -> UInt64? {
        body.withUnsafeReadableBytes { bytes in
            guard let at = firstIndex(of: stampKey, in: bytes) else { return nil }
            return integer(in: bytes, from: at + stampKey.count)
        }
    }

    static func firstIndex(of needle: [UInt8], in bytes: UnsafeRawBufferPointer) -> Int? {
        guard bytes.count >= needle.count, let first = needle.first else { return nil }
        var i = 0
        let last = bytes.count - needle.count
        outer: while i <= last {
            if bytes[i] == first {
                for j in 1..<needle.count where bytes[i + j] != needle[j] {
                    i += 1
                    continue outer
                }
                return i
            }
            i += 1
        }
        return nil
    }

    static func lastIndex(of needle: [UInt8], in bytes: UnsafeRawBufferPointer) -> Int? {
        guard bytes.count >= needle.count, let first = needle.first else { return nil }
        var i = bytes.count - needle.count
        outer: while i >= 0 {
            if bytes[i] == first {
                for j in 1..<needle.count where bytes[i + j] != needle[j] {
                    i -= 1
                    continue outer
                }
                return i
            }
            i -= 1
        }
        return nil
    }

    /// Decimal digits from `start` (an optional leading '-' is refused).
    static func integer(in bytes: UnsafeRawBufferPointer, from start: Int) -> UInt64? {
        var i = start
        var value: UInt64 = 0
        while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") {
            value = value &* 10 &+ UInt64(bytes[i] - UInt8(ascii: "0"))
            i += 1
        }
        return i > start ? value : nil
    }
}

/// The content of a bench message: the send time, then padding to the requested size.
enum Payload {
    static let marker = "bench:"

    static func content(sentAt ns: UInt64, size: Int) -> String {
        var text = marker + String(ns) + ";"
        if text.utf8.count < size { text += String(repeating: "x", count: size - text.utf8.count) }
        return text
    }
}
