import GHLJSON

/// Generated records write their times as GHL does: ISO 8601 strings.
extension JSONWriter {
    mutating func field(_ name: String, time ms: Int64) { key(name); string(SandboxTime.iso8601(ms)) }
}
