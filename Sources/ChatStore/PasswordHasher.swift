// SPDX-License-Identifier: Apache-2.0
import Crypto
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import _CryptoExtras

/// scrypt cost. N must be a power of two; memory is 128·N·r bytes (128 MiB at the
/// default 2^17, r 8: OWASP's minimum for scrypt).
public struct ScryptParameters: Sendable, Equatable {
    public var n: Int = 1 << 17
    public var r: Int = 8
    public var p: Int = 1
    public init(n: Int = 1 << 17, r: Int = 8, p: Int = 1) {
        self.n = n
        self.r = r
        self.p = p
    }
}

/// The hasher has as much work queued as it takes: the caller should answer
/// "busy, try again" rather than wait behind a flood of logins.
public struct HasherBusy: Error, Sendable {}

/// Hashes and verifies passwords with scrypt. Stored form, parameters beside the hash:
/// `scrypt$<N>$<r>$<p>$<salt base64>$<hash base64>`.
/// The work runs on a thread pool of its own (never an event loop, the cooperative
/// pool, or NIO's shared pool), and only as much is admitted as the pool gets through
/// in about two seconds (at least two hashes per thread): a flood of logins gets
/// `HasherBusy` at once instead of a queue without end, whatever the cost setting.
public struct PasswordHasher: Sendable {
    public let parameters: ScryptParameters
    let threadPool: NIOThreadPool
    private let load: NIOLockedValueBox<Load>
    /// A fixed bound instead of the measured one (tests).
    private let fixedLimit: Int?
    static let keyLength = 32
    static let saltLength = 16
    /// At most four: each hash holds 128·N·r bytes (128 MiB at the default cost) while it
    /// runs, so the unit's MemoryMax= holds on any machine, and more threads would only
    /// let a login flood take more of the cores from the chat.
    static let threads = min(System.coreCount, 4)
    /// How long a hash may wait in the queue, about.
    static let queueSeconds = 2.0

    private struct Load {
        var pending = 0
        /// Seconds one hash takes here, a moving average; first guessed from the cost.
        var seconds: Double
    }

    /// One pool for every hasher of the process: its threads are started once and live
    /// as long as the process, like NIO's own singleton.
    static let sharedPool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
        return pool
    }()

    public init(parameters: ScryptParameters, threadPool: NIOThreadPool? = nil, maxPending: Int? = nil) {
        self.parameters = parameters
        self.threadPool = threadPool ?? Self.sharedPool
        self.fixedLimit = maxPending
        // About 0.3 µs per N·r·p on a small x86 core: 0.3 s at the default cost.
        self.load = NIOLockedValueBox(Load(seconds: Double(parameters.n * parameters.r * parameters.p) * 3e-7))
    }

    /// Hashes waiting or running now.
    public var pendingCount: Int { self.load.withLockedValue { $0.pending } }

    /// How many may wait or run at once now.
    public var maxPending: Int { self.load.withLockedValue { self.limit($0) } }

    private func limit(_ load: Load) -> Int {
        if let fixedLimit { return fixedLimit }
        let threads = Double(Self.threads)
        return max(2 * Self.threads, Int(min(Self.queueSeconds * threads / max(load.seconds, 1e-6), 1e6)))
    }

    /// Runs `work` on the pool if fewer than `maxPending` are waiting or running.
    private func admitted<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        let admitted = self.load.withLockedValue { load in
            guard load.pending < self.limit(load) else { return false }
            load.pending += 1
            return true
        }
        guard admitted else { throw HasherBusy() }
        var elapsed: Duration?
        defer {
            self.load.withLockedValue { load in
                load.pending -= 1
                if let elapsed {
                    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                    load.seconds = 0.8 * load.seconds + 0.2 * seconds
                }
            }
        }
        let (value, took) = try await self.threadPool.runIfActive { () throws -> (T, Duration) in
            let clock = ContinuousClock()
            let start = clock.now
            let value = try work()
            return (value, clock.now - start)
        }
        elapsed = took
        return value
    }

    public func hash(_ password: String) async throws -> String {
        let parameters = self.parameters
        return try await self.admitted {
            var salt = [UInt8](repeating: 0, count: Self.saltLength)
            var rng = SystemRandomNumberGenerator()
            for i in salt.indices { salt[i] = rng.next() }
            let key = try Self.derive(password, salt: salt, parameters)
            return [
                "scrypt", "\(parameters.n)", "\(parameters.r)", "\(parameters.p)",
                Data(salt).base64EncodedString(), Data(key).base64EncodedString(),
            ].joined(separator: "$")
        }
    }

    /// True when `password` matches `stored`; a stored string we cannot parse never matches.
    public func verify(_ password: String, against stored: String) async throws -> Bool {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "scrypt",
            let n = Int(parts[1]), let r = Int(parts[2]), let p = Int(parts[3]),
            n > 1, n & (n - 1) == 0, r > 0, p > 0, n <= 1 << 20, r <= 32, p <= 16,
            let salt = Data(base64Encoded: String(parts[4])),
            let expected = Data(base64Encoded: String(parts[5])), expected.count == Self.keyLength
        else { return false }
        let parameters = ScryptParameters(n: n, r: r, p: p)
        return try await self.admitted {
            let key = try Self.derive(password, salt: Array(salt), parameters)
            return ConstantTime.equal(key, Array(expected))
        }
    }

    /// True when `stored` was made with other parameters than ours (re-hash at login).
    public func needsRehash(_ stored: String) -> Bool {
        !stored.hasPrefix("scrypt$\(parameters.n)$\(parameters.r)$\(parameters.p)$")
    }

    static func derive(_ password: String, salt: [UInt8], _ parameters: ScryptParameters) throws -> [UInt8] {
        let key = try KDF.Scrypt.deriveKey(
            from: Array(password.utf8),
            salt: salt,
            outputByteCount: keyLength,
            rounds: parameters.n,
            blockSize: parameters.r,
            parallelism: parameters.p
        )
        return key.withUnsafeBytes { Array($0) }
    }
}

/// Comparison whose time does not depend on where the inputs differ.
public enum ConstantTime {
    public static func equal(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}
