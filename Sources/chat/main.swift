// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import ChatClient

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

// Hand-rolled entry point instead of @main: usage errors must exit 2 (ArgumentParser
// uses 64) and every failure is one line on stderr with its documented status.
let signalSources = Signals.installExitHandlers()

do {
    var command = try ChatCommand.parseAsRoot()
    if var asyncCommand = command as? any AsyncParsableCommand {
        try await runAsync(&asyncCommand)
    } else {
        try command.run()
    }
    exit(ExitStatus.ok.rawValue)
} catch let failure as ChatFailure {
    Terminal.restore()
    if !failure.message.isEmpty { Terminal.warn(failure.message) }
    exit(failure.status.rawValue)
} catch {
    Terminal.restore()
    if ChatCommand.exitCode(for: error) == .success {
        ChatCommand.exit(withError: error)  // --help, --version: printed to stdout, status 0
    }
    Terminal.warn("\(ChatCommand.message(for: error)) (see chat --help)")
    exit(ExitStatus.usage.rawValue)
}

/// Opens the existential so the `async` requirement of `run` is the one called.
func runAsync<Command: AsyncParsableCommand>(_ command: inout Command) async throws {
    try await command.run()
}
