import Crypto
import _CryptoExtras
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

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
/// pool, or NIO's shared pool), and at most `maxPending` hashes wait or run at once:
/// a flood of logins gets `HasherBusy` at once instead of a queue without end.
public struct PasswordHasher: Sendable {
    public let parameters: ScryptParameters
    let threadPool: NIOThreadPool
    let pending: NIOLockedValueBox<Int>
    public let maxPending: Int
    static let keyLength = 32
    static let saltLength = 16

    /// One pool for every hasher of the process: its threads are started once and live
    /// as long as the process, like NIO's own singleton.
    static let sharedPool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: System.coreCount)
        pool.start()
        return pool
    }()

    /// `maxPending` defaults to four hashes per thread: about a second of waiting at
    /// the default cost before a login is told the server is busy.
    public init(parameters: ScryptParameters, threadPool: NIOThreadPool? = nil, maxPending: Int? = nil) {
        self.parameters = parameters
        self.threadPool = threadPool ?? Self.sharedPool
        self.maxPending = maxPending ?? 4 * System.coreCount
        self.pending = NIOLockedValueBox(0)
    }

    /// Hashes waiting or running now.
    public var pendingCount: Int { self.pending.withLockedValue { $0 } }

    /// Runs `work` on the pool if fewer than `maxPending` are waiting or running.
    private func admitted<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        let admitted = self.pending.withLockedValue { count in
            guard count < self.maxPending else { return false }
            count += 1
            return true
        }
        guard admitted else { throw HasherBusy() }
        defer { self.pending.withLockedValue { $0 -= 1 } }
        return try await self.threadPool.runIfActive(work)
    }

    public func hash(_ password: String) async throws -> String {
        let parameters = self.parameters
        return try await self.admitted {
            var salt = [UInt8](repeating: 0, count: Self.saltLength)
            var rng = SystemRandomNumberGenerator()
            for i in salt.indices { salt[i] = rng.next() }
            let key = try Self.derive(password, salt: salt, parameters)
            return ["scrypt", "\(parameters.n)", "\(parameters.r)", "\(parameters.p)",
                    Data(salt).base64EncodedString(), Data(key).base64EncodedString()].joined(separator: "$")
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
            from: Array(password.utf8), salt: salt, outputByteCount: keyLength,
            rounds: parameters.n, blockSize: parameters.r, parallelism: parameters.p)
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
