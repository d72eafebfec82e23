import Foundation

/// Memory and CPU figures of this process (Linux).
public enum ProcessStats {
    /// CPU seconds this process has used, user and system, on all its
    /// threads; a child (the benchmarks' sandbox) is not counted.
    public static var cpuSeconds: Double {
        var usage = rusage()
        #if os(Linux)
        let who = __rusage_who_t(RUSAGE_SELF.rawValue)
        #else
        let who = RUSAGE_SELF
        #endif
        guard getrusage(who, &usage) == 0 else { return 0 }
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// Resident set size now.
    public static var residentBytes: Int { field("VmRSS") }

    /// The highest resident set size since the process started.
    public static var peakResidentBytes: Int { field("VmHWM") }

    private static func field(_ name: String) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
            return kilobytes * 1024
        }
        return 0
    }
}

/// Percentiles of a sample (nearest-rank).
public struct Percentiles: Sendable {
    private let sorted: [Double]

    public init(_ values: [Double]) {
        sorted = values.sorted()
    }

    public var count: Int { sorted.count }

    public func value(_ percentile: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((percentile / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}
