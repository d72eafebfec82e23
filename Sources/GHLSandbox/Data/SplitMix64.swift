/// The sandbox's own pseudo-random generator, so the same seed gives the same data on every
/// platform and Swift version (Foundation and the standard library promise no such thing).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator for one independent stream, e.g. "contacts of location 3", so the size of one
    /// entity never changes the records generated for another.
    public init(seed: UInt64, stream: String, index: Int = 0) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a over the stream name
        for byte in stream.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        var mixer = SplitMix64(seed: seed ^ hash ^ (UInt64(truncatingIfNeeded: index) &* 0x9e37_79b9_7f4a_7c15))
        state = mixer.next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// Uniform in `0..<bound` (bound > 0).
    mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }

    /// True with the given probability.
    mutating func chance(_ probability: Double) -> Bool {
        Double(next() >> 11) / Double(1 << 53) < probability
    }

    mutating func pick<T>(_ values: [T]) -> T {
        values[below(values.count)]
    }

    mutating func between(_ low: Int, _ high: Int) -> Int {
        low + below(high - low + 1)
    }

    private static let alphanumerics = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// A GHL-style 20 character id (contacts, opportunities, locations, pipelines).
    mutating func ghlID() -> String {
        var bytes = [UInt8](repeating: 0, count: 20)
        for i in 0..<20 { bytes[i] = Self.alphanumerics[below(Self.alphanumerics.count)] }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A 24 hex digit Mongo-style `_id` (orders, transactions, reviews).
    mutating func objectID() -> String {
        var bytes = [UInt8](repeating: 0, count: 24)
        for i in 0..<24 { bytes[i] = Self.hexDigits[below(16)] }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A lowercase UUID, as GHL uses for pipeline stage ids.
    mutating func uuid() -> String {
        var bytes: [UInt8] = []
        for (i, count) in [8, 4, 4, 4, 12].enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: "-")) }
            for _ in 0..<count { bytes.append(Self.hexDigits[below(16)]) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
