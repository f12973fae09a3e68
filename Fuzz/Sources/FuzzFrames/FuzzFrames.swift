// SPDX-License-Identifier: Apache-2.0
import ChatProtocol
import FuzzSupport
import NIOCore

/// Arbitrary bytes as a client (or server) byte stream: `FrameDecoder` splits them,
/// each frame goes through `ClientMessage.decode` and `ServerMessage.decode`.
///
/// Asserts: framing gives the same frames and the same verdict whether the bytes
/// arrive at once or in pieces; every frame is within limits; decoding either
/// succeeds or throws `ProtocolError` (typed throws: nothing else can escape), and
/// never traps or hangs; whatever decodes re-encodes (`frame()`) to a frame with a
/// correct length prefix that decodes to an equal value.
func fuzzFrames(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let input = ByteBuffer(bytes: bytes)
    var chunker = Chunker(bytes)
    let ranges = chunker.ranges(size)
    // The server's limit, and a small one so the size check is reached by short inputs.
    for limit in [FrameDecoder.defaultMaxFrameSize, 64] {
        let whole = frames(of: input, chunks: [0..<size], limit: limit)
        let pieces = frames(of: input, chunks: ranges, limit: limit)
        check(whole.frames == pieces.frames, "frames differ when the stream arrives in pieces")
        check(
            whole.error == pieces.error,
            "verdict differs when the stream arrives in pieces: \(String(describing: whole.error)) vs \(String(describing: pieces.error))"
        )
        for frame in whole.frames {
            check(
                frame.readableBytes > 0 && frame.readableBytes <= limit,
                "frame of \(frame.readableBytes) bytes passed a limit of \(limit)"
            )
        }
        guard limit == FrameDecoder.defaultMaxFrameSize else { continue }
        for frame in whole.frames {
            checkEnvelope(frame)
            checkClient(frame)
            checkServer(frame)
        }
    }
    return 0
}

struct Framing {
    var frames: [ByteBuffer] = []
    var error: ProtocolError?
}

/// Runs `FrameDecoder` the way the clients' `ByteToMessageHandler` does: after each
/// read, then at EOF. (The server's `FrameReader` runs the same `decode` on what is left
/// plus each read; FrameReaderTests splits frames at every place.)
func frames(of input: ByteBuffer, chunks: [Range<Int>], limit: Int) -> Framing {
    let processor = NIOSingleStepByteToMessageProcessor(FrameDecoder(maxFrameSize: limit))
    var result = Framing()
    do {
        for range in chunks {
            let piece = input.getSlice(at: input.readerIndex + range.lowerBound, length: range.count)!
            try processor.process(buffer: piece) { result.frames.append($0) }
        }
        try processor.finishProcessing(seenEOF: true) { result.frames.append($0) }
    } catch let error as ProtocolError {
        check(error.isFraming, "FrameDecoder threw a non-framing error \(error)")
        result.error = error
    } catch {
        check(false, "FrameDecoder threw \(type(of: error)): \(error)")
    }
    return result
}

/// Splits an encoded frame into its body, checking the length prefix.
func body(of frame: ByteBuffer) -> ByteBuffer {
    var frame = frame
    let length = frame.readInteger(as: UInt32.self)
    check(length != nil && Int(length!) == frame.readableBytes, "frame() wrote a wrong length prefix")
    return frame
}

func checkEnvelope(_ frame: ByteBuffer) {
    let envelope: Envelope
    do {
        envelope = try Envelope.decode(frame)
    } catch {
        check(!error.isFraming && !error.message.isEmpty, "Envelope.decode: odd error \(error)")
        return
    }
    let again = try? Envelope.decode(body(of: envelope.frame()))
    check(again == envelope, "Envelope round trip: \(envelope) came back as \(String(describing: again))")
}

func checkClient(_ frame: ByteBuffer) {
    let message: ClientMessage
    do {
        message = try ClientMessage.decode(frame)
    } catch {
        check(!error.isFraming && (error.code == 400 || error.code == 413), "ClientMessage.decode: odd error \(error)")
        return
    }
    let encoded = message.frame()
    do {
        let again = try ClientMessage.decode(body(of: encoded))
        check(again == message, "ClientMessage round trip: \(message) came back as \(again)")
        check(again.type == message.type, "ClientMessage type changed")
    } catch {
        check(false, "ClientMessage \(message) re-encoded does not decode: \(error)")
    }
}

func checkServer(_ frame: ByteBuffer) {
    let message: ServerMessage
    do {
        message = try ServerMessage.decode(frame)
    } catch {
        check(!error.isFraming && (error.code == 400 || error.code == 413), "ServerMessage.decode: odd error \(error)")
        return
    }
    let encoded = message.frame()
    do {
        let again = try ServerMessage.decode(body(of: encoded))
        check(again == message, "ServerMessage round trip: \(message) came back as \(again)")
    } catch {
        check(false, "ServerMessage \(message) re-encoded does not decode: \(error)")
    }
}
