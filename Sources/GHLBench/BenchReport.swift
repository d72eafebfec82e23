import Foundation
import GHLJSON

/// The figures of one benchmark run, in the order they were recorded.
///
/// Printed as a two-column table for people and, with `--json`, as one JSON
/// object whose keys scripts can rely on (`scenario`, `wall_seconds`, ...).
public struct BenchReport: Sendable {
    public enum Value: Sendable {
        case int(Int)
        case double(Double)
        case string(String)
        case bool(Bool)
        case object(BenchReport)
    }

    public private(set) var entries: [(key: String, value: Value)] = []

    public init(scenario: String) {
        self["scenario"] = .string(scenario)
    }

    public init() {}

    public subscript(key: String) -> Value? {
        get { entries.first { $0.key == key }?.value }
        set {
            guard let newValue else { entries.removeAll { $0.key == key }; return }
            if let index = entries.firstIndex(where: { $0.key == key }) {
                entries[index].value = newValue
            } else {
                entries.append((key, newValue))
            }
        }
    }

    public mutating func set(_ key: String, _ value: Int) { self[key] = .int(value) }
    public mutating func set(_ key: String, _ value: Double) { self[key] = .double((value * 1000).rounded() / 1000) }
    public mutating func set(_ key: String, _ value: String) { self[key] = .string(value) }
    public mutating func set(_ key: String, _ value: Bool) { self[key] = .bool(value) }
    public mutating func set(_ key: String, _ value: BenchReport) { self[key] = .object(value) }

    public func double(_ key: String) -> Double? {
        switch self[key] {
        case .int(let v): Double(v)
        case .double(let v): v
        default: nil
        }
    }

    /// One JSON object, keys sorted, nested reports as objects.
    public func json() -> String {
        var writer = JSONWriter()
        write(to: &writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    private func write(to writer: inout JSONWriter) {
        writer.beginObject()
        for (key, value) in entries.sorted(by: { $0.key < $1.key }) {
            writer.key(key)
            switch value {
            case .int(let v): writer.int(v)
            case .double(let v): writer.number(v)
            case .string(let v): writer.string(v)
            case .bool(let v): writer.bool(v)
            case .object(let v): v.write(to: &writer)
            }
        }
        writer.endObject()
    }

    /// `key  value` lines, nested reports indented under their key.
    public func table(indent: String = "") -> String {
        let width = entries.map(\.key.count).max() ?? 0
        return entries.map { key, value in
            let label = indent + key.padding(toLength: width, withPad: " ", startingAt: 0)
            switch value {
            case .int(let v): return "\(label)  \(v)"
            case .double(let v): return "\(label)  \(v)"
            case .string(let v): return "\(label)  \(v)"
            case .bool(let v): return "\(label)  \(v)"
            case .object(let v): return "\(indent)\(key)\n" + v.table(indent: indent + "  ")
            }
        }.joined(separator: "\n")
    }
}
