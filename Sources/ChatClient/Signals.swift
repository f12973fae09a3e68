// SPDX-License-Identifier: Apache-2.0
import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGINT and SIGTERM end the program with 128 + signal (130 for SIGINT), after
/// restoring the terminal (raw mode, or echo switched off for a password).
/// Handled on a dispatch queue rather than in a C signal handler, so the
/// clean-up may do ordinary work.
public enum Signals {
    /// Installs the handlers; keep the returned sources alive for as long as they should act.
    public static func installExitHandlers() -> [any DispatchSourceSignal] {
        var sources: [any DispatchSourceSignal] = []
        // A parent may have started us with these blocked (Foundation's Process passes
        // its thread's mask on); unblock them so the sources below see them.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        for signo in [SIGINT, SIGTERM] {
            signal(signo, SIG_IGN)  // the dispatch source sees it instead
            let source = DispatchSource.makeSignalSource(signal: signo, queue: .global())
            source.setEventHandler {
                Terminal.restore()
                Terminal.output("\n", to: STDERR_FILENO)
                exit(128 + signo)
            }
            source.resume()
            sources.append(source)
        }
        return sources
    }
}
