import Foundation

/// How a connection waits while another process holds the file's write lock.
///
/// Several ghlsync processes may write one file (a cron `sync`, `serve`, a
/// second `sync`). SQLite's own busy timeout polls with growing sleeps, up to
/// 100 ms: a writer that has waited long polls least often, so under steady
/// contention newcomers keep taking the lock from it and it failed with
/// `database is locked` at its timeout. Here every waiter polls at the same
/// short, jittered pace whatever its wait so far, so each takes its turn
/// with equal odds, and it waits far longer than any write transaction
/// (one batch of pages) holds the lock.
public enum WriteTurn {
    /// Longest poll interval: a little more than a typical batch's commit.
    static let maxSleepMicroseconds: UInt32 = 8_000
    /// How long a writer keeps trying, by default, before it reports the file locked.
    public static let patience: TimeInterval = 600

    /// GRDB's busy callback for a store's connections.
    static func wait(patience: TimeInterval) -> @Sendable (Int) -> Bool {
        { tries in retry(after: tries, patience: patience) }
    }

    /// Sleeps before the next try, then says whether to make it: not once
    /// the sleeps have outlasted `patience` seconds.
    static func retry(after tries: Int, patience: TimeInterval) -> Bool {
        let ceiling = min(UInt32(250) << min(tries, 5), maxSleepMicroseconds)
        usleep(UInt32.random(in: ceiling / 2...ceiling))
        // The sleeps average at least 3/4 of the ceiling: this many tries outlast `patience`.
        return Double(tries) < patience / (Double(maxSleepMicroseconds) * 0.75 / 1_000_000)
    }
}
