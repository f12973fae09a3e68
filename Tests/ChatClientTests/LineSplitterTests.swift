// SPDX-License-Identifier: Apache-2.0
import ChatClient
import Testing

@Suite struct LineSplitterTests {
    @Test func splitsAcrossChunksAndKeepsTheTail() {
        var splitter = LineSplitter()
        #expect(splitter.feed(Array("one\ntw".utf8)) == ["one"])
        #expect(splitter.feed(Array("o\r\nthree\n\nfour".utf8)) == ["two", "three", ""])
        #expect(splitter.finish() == "four")
        #expect(splitter.finish() == nil)
    }
}
