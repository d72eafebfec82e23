import Foundation

/// Latencies counted in fixed buckets, so a client's memory stays the same
/// however many events it receives (a 10-minute run of 1,000 clients is
/// 120,000,000 latencies: as a list, a gigabyte in the benchmark's own RSS).
///
/// Microseconds below 32 have a bucket each; above, every power of two is
/// split into 32 buckets, so a percentile is the upper edge of its bucket:
/// at most about 3% above the true value, never below it. The maximum is kept exactly.
struct LatencyHistogram: Sendable {
    private static let subBuckets = 32
    /// Powers of two above the exact range: up to 2^37 µs (38 hours); longer latencies count in the last bucket.
    private static let octaves = 32
    private static let bucketCount = subBuckets * (octaves + 1)

    /// Allocated at the first latency, so an idle client holds none.
    private var counts: [UInt32] = []
    private(set) var count = 0
    private var maxMicroseconds: Int64 = 0

    var bytes: Int { counts.capacity * MemoryLayout<UInt32>.stride }

    mutating func record(nanoseconds: Int64) {
        let micros = max(0, nanoseconds / 1_000)
        if counts.isEmpty { counts = Array(repeating: 0, count: Self.bucketCount) }
        counts[Self.bucket(of: micros)] += 1
        count += 1
        maxMicroseconds = max(maxMicroseconds, micros)
    }

    mutating func add(_ other: LatencyHistogram) {
        guard other.count > 0 else { return }
        if counts.isEmpty { counts = Array(repeating: 0, count: Self.bucketCount) }
        for (index, value) in other.counts.enumerated() { counts[index] += value }
        count += other.count
        maxMicroseconds = max(maxMicroseconds, other.maxMicroseconds)
    }

    /// The nearest-rank percentile in milliseconds (100: the exact maximum).
    func milliseconds(atPercentile percentile: Double) -> Double {
        guard count > 0 else { return 0 }
        if percentile >= 100 { return Double(maxMicroseconds) / 1_000 }
        let rank = max(1, Int((percentile / 100 * Double(count)).rounded(.up)))
        var seen = 0
        for (index, value) in counts.enumerated() {
            seen += Int(value)
            if seen >= rank { return Double(min(Self.upperEdge(of: index), maxMicroseconds)) / 1_000 }
        }
        return Double(maxMicroseconds) / 1_000
    }

    private static func bucket(of micros: Int64) -> Int {
        guard micros >= Int64(subBuckets) else { return Int(micros) }
        // The exponent of the highest set bit, at least 5 (32 = 2^5).
        let exponent = min(Int64.bitWidth - 1 - micros.leadingZeroBitCount, octaves + 4)
        let shift = exponent - 5
        let sub = min(Int(micros >> Int64(shift)) - subBuckets, subBuckets - 1)
        return subBuckets * (shift + 1) + sub
    }

    /// The largest microsecond count of bucket `index`.
    private static func upperEdge(of index: Int) -> Int64 {
        guard index >= subBuckets else { return Int64(index) }
        let shift = index / subBuckets - 1
        let sub = index % subBuckets
        return (Int64(subBuckets + sub + 1) << Int64(shift)) - 1
    }
}
