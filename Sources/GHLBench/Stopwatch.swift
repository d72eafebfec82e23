/// The wall time and this process's CPU time of one timed stretch of a
/// benchmark. On a machine whose cores the sync keeps busy, the wall time
/// follows the CPU a record costs; CPU per record is the figure that compares
/// across machines and across a loaded host's good and bad minutes.
struct Stopwatch {
    private let wallStart = ContinuousClock.now
    private let cpuStart = ProcessStats.cpuSeconds

    /// Seconds since the stopwatch started: of wall time, and of CPU on all of this process's threads.
    func read() -> (wall: Double, cpu: Double) {
        ((ContinuousClock.now - wallStart).seconds, ProcessStats.cpuSeconds - cpuStart)
    }
}

extension BenchReport {
    /// A timed sync's `records` and rates: `records_per_second`, and its CPU
    /// as `cpu_seconds`, `cpu_us_per_record` and `cores_busy` (CPU seconds per wall second).
    mutating func setThroughput(records: Int, wall: Double, cpu: Double) {
        set("records", records)
        set("records_per_second", Double(records) / wall)
        set("cpu_seconds", cpu)
        set("cpu_us_per_record", records > 0 ? cpu * 1e6 / Double(records) : 0)
        set("cores_busy", cpu / max(wall, .leastNonzeroMagnitude))
    }
}
