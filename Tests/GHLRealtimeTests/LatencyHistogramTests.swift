import Testing
@testable import GHLBench

/// The realtime benchmark's latency histogram: fixed memory, percentiles
/// never below the true value and at most about 3% above it.
@Suite struct LatencyHistogramTests {
    @Test func percentilesAreWithinABucketOfTheTrueValuesAndTheMaximumIsExact() {
        var histogram = LatencyHistogram()
        // 1 µs ... 10 s, one each: the nearest-rank p-th value is known exactly.
        let micros = Array(stride(from: Int64(1), through: 10_000_000, by: 1))
        for value in micros { histogram.record(nanoseconds: value * 1_000) }
        #expect(histogram.count == micros.count)
        for percentile in [50.0, 95.0, 99.0] {
            let exact = Double(micros[Int((percentile / 100 * Double(micros.count)).rounded(.up)) - 1]) / 1_000
            let reported = histogram.milliseconds(atPercentile: percentile)
            #expect(reported >= exact && reported <= exact * 1.032, "p\(percentile): \(reported) against \(exact)")
        }
        #expect(histogram.milliseconds(atPercentile: 100) == 10_000)
        // Its memory is fixed, however many latencies it counts.
        let bytes = histogram.bytes
        for _ in 0..<1_000 { histogram.record(nanoseconds: 5_000_000) }
        #expect(histogram.bytes == bytes && bytes <= 8_192)
    }

    @Test func histogramsAddUpAndSmallLatenciesAreExact() {
        var one = LatencyHistogram(), two = LatencyHistogram()
        for value: Int64 in [3, 7, 20] { one.record(nanoseconds: value * 1_000) }
        for value: Int64 in [5, 31] { two.record(nanoseconds: value * 1_000) }
        one.add(two)
        #expect(one.count == 5)
        #expect(one.milliseconds(atPercentile: 50) == 0.007)
        #expect(one.milliseconds(atPercentile: 80) == 0.02)
        #expect(one.milliseconds(atPercentile: 100) == 0.031)
        #expect(LatencyHistogram().milliseconds(atPercentile: 99) == 0)
    }
}
