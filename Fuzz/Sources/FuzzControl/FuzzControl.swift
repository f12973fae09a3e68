// SPDX-License-Identifier: Apache-2.0
import Foundation
import FuzzSupport
import NIOCore

#if canImport(ControlProtocol)
import ControlProtocol
#endif

/// Arbitrary bytes as a control connection's input: `LineFrameDecoder` splits them
/// into lines, each line is decoded as the control handler does
/// (`JSONDecoder().decode(ControlRequest.self, …)`).
///
/// Asserts: line splitting gives the same lines and verdict whether the bytes arrive
/// at once or in pieces, no line exceeds the limit or contains a newline; decoding
/// either succeeds or throws, never traps or hangs; a decoded request re-encodes
/// (as the handler encodes responses: sorted keys, unescaped slashes) and decodes
/// to an equal request; the same holds for a `ControlResponse` echoing its `id` and
/// `params`, which is what the server sends back.
func fuzzControl(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let input = ByteBuffer(bytes: bytes)
    var chunker = Chunker(bytes)
    let ranges = chunker.ranges(size)
    // The server's 1 MiB limit, and a small one so the check is reached by short inputs.
    for limit in [1 << 20, 48] {
        let whole = lines(of: input, chunks: [0..<size], limit: limit)
        let pieces = lines(of: input, chunks: ranges, limit: limit)
        check(whole.lines == pieces.lines, "lines differ when the stream arrives in pieces")
        check(whole.tooLong == pieces.tooLong, "verdict differs when the stream arrives in pieces")
        for line in whole.lines {
            check(line.readableBytes <= limit, "line of \(line.readableBytes) bytes passed a limit of \(limit)")
            check(!line.readableBytesView.contains(UInt8(ascii: "\n")), "line contains a newline")
        }
        guard limit == 1 << 20 else { continue }
        for line in whole.lines {
            checkRequest(line)
        }
    }
    return 0
}

struct Lines {
    var lines: [ByteBuffer] = []
    var tooLong = false
}

func lines(of input: ByteBuffer, chunks: [Range<Int>], limit: Int) -> Lines {
    let processor = NIOSingleStepByteToMessageProcessor(LineFrameDecoder(maxLength: limit))
    var result = Lines()
    do {
        for range in chunks {
            let piece = input.getSlice(at: input.readerIndex + range.lowerBound, length: range.count)!
            try processor.process(buffer: piece) { result.lines.append($0) }
        }
        try processor.finishProcessing(seenEOF: true) { result.lines.append($0) }
    } catch is LineFrameDecoder.LineTooLong {
        result.tooLong = true
    } catch {
        check(false, "LineFrameDecoder threw \(type(of: error)): \(error)")
    }
    return result
}

func checkRequest(_ line: ByteBuffer) {
    let request: ControlRequest
    do {
        request = try JSONDecoder().decode(ControlRequest.self, from: Data(line.readableBytesView))
    } catch {
        return
    }
    // What the API reads: these must not trap whatever the params hold.
    let params = request.params ?? .object([:])
    for key in ["name", "user", "userid", "session", "reason", "limit"] {
        _ = params[key]?.string
        _ = params[key]?.int
        _ = params[key]?.bool
        _ = params[key]?.array
    }

    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    do {
        let again = try JSONDecoder().decode(ControlRequest.self, from: encoder.encode(request))
        check(
            again.jsonrpc == request.jsonrpc && again.id == request.id && again.method == request.method
                && again.params == request.params,
            "ControlRequest round trip: \(request) came back as \(again)"
        )
        let response = ControlResponse(id: request.id, result: params)
        let echoed = try JSONDecoder().decode(ControlResponse.self, from: encoder.encode(response))
        check(
            echoed.id == response.id && echoed.result == response.result,
            "ControlResponse round trip: \(response) came back as \(echoed)"
        )
    } catch {
        check(false, "decoded request \(request) does not re-encode and decode: \(error)")
    }
}
