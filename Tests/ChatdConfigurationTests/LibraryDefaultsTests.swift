// SPDX-License-Identifier: Apache-2.0

import ChatServer
import ChatStore
import ChatdConfiguration
import Testing

/// ServerConfiguration and StoreConfiguration keep defaults of their own, so tests can
/// build them bare; these must stay chatd's defaults.
@Suite struct LibraryDefaultsTests {
    @Test func serverDefaultsAreChatds() {
        #expect(ChatdConfig().server == ServerConfiguration())
    }

    @Test func storeDefaultsAreChatds() {
        let chatd = ChatdConfig().store
        let bare = StoreConfiguration()
        #expect(chatd.keyPrefix == bare.keyPrefix)
        #expect(chatd.seedUserHash == bare.seedUserHash)
        #expect(chatd.groupHistoryMax == bare.groupHistoryMax)
        #expect(chatd.historyPageMax == bare.historyPageMax)
        #expect(chatd.offlineMax == bare.offlineMax)
        #expect(chatd.scrypt == bare.scrypt)
    }
}
