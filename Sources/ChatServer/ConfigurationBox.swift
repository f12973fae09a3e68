// SPDX-License-Identifier: Apache-2.0
import NIOConcurrencyHelpers

/// The current server configuration; swapped whole on reload.
public final class ConfigurationBox: Sendable {
    private let box: NIOLockedValueBox<ServerConfiguration>

    public init(_ configuration: ServerConfiguration) {
        self.box = NIOLockedValueBox(configuration)
    }

    public var current: ServerConfiguration {
        get { self.box.withLockedValue { $0 } }
        set { self.box.withLockedValue { $0 = newValue } }
    }
}
