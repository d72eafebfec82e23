import Foundation
import GHLStore
import GHLSync
import Synchronization

/// Progress of `ghlsync sync`: one live bar per entity on a terminal, redrawn
/// at most ten times a second; on a pipe or file, one plain line per entity
/// when it starts and when it ends.
final class SyncProgressDisplay: Sendable {
    private struct State {
        var rows: [String: SyncProgress] = [:]
        var drawn = 0
        var lastDraw = ContinuousClock.now - .seconds(1)
        var announced: Set<String> = []
    }

    private let entities: [String]
    private let interactive: Bool
    private let state = Mutex(State())

    init(entities: [GHLStore.Entity], interactive: Bool) {
        self.entities = entities.map(\.rawValue)
        self.interactive = interactive
    }

    func update(_ progress: SyncProgress) {
        let name = progress.entity.rawValue
        state.withLock { state in
            state.rows[name] = progress
            if interactive {
                guard progress.state != .running || ContinuousClock.now - state.lastDraw > .milliseconds(100) else { return }
                draw(&state)
            } else if progress.state != .running || state.announced.insert(name).inserted {
                emit(line(progress) + "\n")
            }
        }
    }

    func finish() {
        state.withLock { state in if interactive { draw(&state) } }
    }

    private func draw(_ state: inout State) {
        var text = state.drawn > 0 ? "\u{1B}[\(state.drawn)A" : ""
        for name in entities {
            text += "\u{1B}[2K" + (state.rows[name].map(bar) ?? name.padding(toLength: 14, withPad: " ", startingAt: 0) + "waiting") + "\n"
        }
        state.drawn = entities.count
        state.lastDraw = .now
        emit(text)
    }

    private func bar(_ p: SyncProgress) -> String {
        let width = 24
        let fraction = p.state == .completed ? 1 : p.total.map { $0 > 0 ? min(1, Double(p.records) / Double($0)) : 0 } ?? 0
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let name = p.entity.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)
        let figures = "\(p.records)\(p.total.map { "/\($0)" } ?? "") records, \(p.pages) pages, \(p.requests) requests"
        switch p.state {
        case .failed: return "\(name)[\(bar)] failed: \(p.error ?? "")"
        case .completed: return "\(name)[\(bar)] done  \(figures)"
        case .running: return "\(name)[\(bar)] \(String(format: "%3d%%", Int(fraction * 100)))  \(figures)"
        }
    }

    private func line(_ p: SyncProgress) -> String {
        switch p.state {
        case .running: "\(p.entity.rawValue): started"
        case .completed: "\(p.entity.rawValue): completed, \(p.records) records, \(p.pages) pages, \(p.requests) requests"
        case .failed: "\(p.entity.rawValue): failed after \(p.records) records: \(p.error ?? "")"
        }
    }

    private func emit(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
