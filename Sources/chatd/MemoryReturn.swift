// SPDX-License-Identifier: Apache-2.0
import CSystemd
import NIOCore

/// How glibc's malloc serves chatd, set once at start (before the event loops exist).
enum MemoryReturn {
    static func apply() {
        // Allocations of 128 KiB and more always come from mmap, so they go back to the
        // system when freed. The big ones are scrypt's work memory, 128·N·r bytes per
        // login (16 MiB at the defaults). glibc would otherwise raise its threshold after
        // the first such free and serve them from its heaps, which keep that memory,
        // fragmented among sessions, long after a login storm. Measured with chat-bench
        // at 19,000 fresh sessions: 4.27 KiB of RSS per session without this, 3.82 with.
        _ = mallopt(M_MMAP_THRESHOLD, 128 * 1024)
        // One arena per core, not glibc's eight: there is one event loop per core, and a
        // session's objects are made on several threads (accepting loop, its own loop,
        // the login's task), so more arenas only spread them over more half-empty heaps.
        // Measured at 10,000 fresh sessions on 2 cores: 4.11/4.13 KiB per session with
        // glibc's default, 4.03/4.08 with two arenas (one: 4.12/4.03; four: 4.16/4.12).
        // The threads then share those arenas' locks: saturated fan-out in alternating
        // runs was 359k/422k deliveries/s with, 410k/477k without at 10k, and 718k/658k
        // against 708k/768k at 1k (the noise is ±10%).
        _ = mallopt(M_ARENA_MAX, Int32(clamping: System.coreCount))
    }
}
