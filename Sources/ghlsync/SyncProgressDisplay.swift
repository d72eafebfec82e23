import Foundation
import GHLStore
import GHLSync
import Synchronization

/// Progress of `ghlsync sync`: one live bar per row (an entity, or with
/// `--all` a source) on a terminal, redrawn at most ten times a second; on a
/// pipe or file, one plain line per row when it starts and when it ends.
final class SyncProgressDisplay: Sendable {
    /// What a row shows: one entity's progress, or a source's entities summed.
    struct Row: Sendable {
        var state: SyncProgress.State
        var records = 0
        var pages = 0
        var requests = 0
        var total: Int?
        var error: String?
    }

    private struct State {
        var rows: [String: Row] = [:]
        var drawn = 0
        var lastDraw = ContinuousClock.now - .seconds(1)
        var announced: Set<String> = []
    }

    private let names: [String]
    private let width: Int
    private let interactive: Bool
    private let state = Mutex(State())

    init(rows names: [String], interactive: Bool) {
        self.names = names
        self.width = max(14, (names.map(\.count).max() ?? 0) + 2)
        self.interactive = interactive
    }

    func update(_ name: String, _ row: Row) {
        state.withLock { state in
            state.rows[name] = row
            if interactive {
                guard row.state != .running || ContinuousClock.now - state.lastDraw > .milliseconds(100) else { return }
                draw(&state)
            } else if row.state != .running || state.announced.insert(name).inserted {
                emit(line(name, row) + "\n")
            }
        }
    }

    /// One entity's update, on the row named after it.
    func update(_ progress: SyncProgress) {
        update(progress.entity.rawValue, Row(progress))
    }

    func finish() {
        state.withLock { state in if interactive { draw(&state) } }
    }

    private func draw(_ state: inout State) {
        var text = state.drawn > 0 ? "\u{1B}[\(state.drawn)A" : ""
        for name in names {
            text += "\u{1B}[2K" + (state.rows[name].map { bar(name, $0) } ?? padded(name) + "waiting") + "\n"
        }
        state.drawn = names.count
        state.lastDraw = .now
        emit(text)
    }

    private func padded(_ name: String) -> String { name.padding(toLength: width, withPad: " ", startingAt: 0) }

    private func bar(_ name: String, _ p: Row) -> String {
        let width = 24
        let fraction = p.state == .completed ? 1 : p.total.map { $0 > 0 ? min(1, Double(p.records) / Double($0)) : 0 } ?? 0
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let figures = "\(p.records)\(p.total.map { "/\($0)" } ?? "") records, \(p.pages) pages, \(p.requests) requests"
        switch p.state {
        case .failed: return "\(padded(name))[\(bar)] failed: \(p.error ?? "")"
        case .completed: return "\(padded(name))[\(bar)] done  \(figures)"
        case .running: return "\(padded(name))[\(bar)] \(String(format: "%3d%%", Int(fraction * 100)))  \(figures)"
        }
    }

    private func line(_ name: String, _ p: Row) -> String {
        switch p.state {
        case .running: "\(name): started"
        case .completed: "\(name): completed, \(p.records) records, \(p.pages) pages, \(p.requests) requests"
        case .failed: "\(name): failed after \(p.records) records: \(p.error ?? "")"
        }
    }

    private func emit(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

extension SyncProgressDisplay.Row {
    init(_ p: SyncProgress) {
        self.init(state: p.state, records: p.records, pages: p.pages, requests: p.requests, total: p.total, error: p.error)
    }
}
