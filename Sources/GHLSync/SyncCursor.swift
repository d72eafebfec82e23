import Foundation
import GHLAPI
import GHLStore

/// What `sync_cursors` keeps per source and entity (JSON in its `cursor` column).
///
/// - `watermark`: where the next incremental run starts (`updatedSince`).
/// - `run`: an unfinished run, rewritten in every page's transaction, so a
///   killed run resumes after its last committed page with the same filter.
/// - `reconciledAt`: when the last complete listing (with its deletion sweep)
///   began; endpoints that filter only by creation time need one regularly.
struct SyncCursor: Codable, Sendable, Equatable {
    var watermark: Date?
    var run: RunState?
    var reconciledAt: Date?

    struct RunState: Codable, Sendable, Equatable {
        /// When the run began; minus `overlap`, the next watermark.
        var startedAt: Date
        /// The mode the run was asked for (a resumed run keeps it).
        var mode: SyncMode
        /// The filter's bound: records updated (or, where GHL filters only on
        /// that, created) at or after it. nil: a full listing that ends with
        /// the deletion sweep.
        var updatedSince: Date?
        /// Where to continue; nil before the first committed page.
        var checkpoint: PageCheckpoint?
        var records = 0
        var pages = 0
        var requests = 0
        var skipped = 0
        /// GHL's total for the listing, as its last page reported it.
        var total: Int?
        /// Why the sweep must not run (a skipped record without an id might be
        /// any stored row), or nil.
        var sweepBlocked: String?
        /// A full listing that began with no live rows of the entity: any row
        /// it does not see came after its start (a webhook's), so it neither
        /// remembers the ids it sees nor sweeps. Kept in the run, so a resumed
        /// run (which has rows by then) does not sweep what it wrote before.
        var startedEmpty: Bool?

        /// A full listing that remembers the ids it sees and sweeps the rest.
        var sweeps: Bool { updatedSince == nil && startedEmpty != true }
        /// The last page is committed; only the finish remains.
        var listed = false
        /// The first few skipped records, for the job's notes.
        var problems: [String] = []
        /// Records stored with fields of an unexpected type, and the first few
        /// of them, for the job's notes (optional: a run saved before these
        /// existed still resumes).
        var coerced: Int?
        var coercions: [String]?
    }

    /// Changes GHL makes while a run pages are caught by starting the next
    /// incremental run this much before the current one started (clocks of
    /// GHL and this machine need not agree to the second).
    static let overlap: TimeInterval = 300

    /// How long an incremental run of an endpoint that filters only by
    /// creation time (orders, transactions, reviews) lists just the new
    /// records before it lists everything again: the longest an update of an
    /// older record that no webhook announces can stay unseen.
    static let reconcileEvery: TimeInterval = 86_400

    /// The saved cursor of an entity of a source; an unreadable one (an older
    /// format) counts as none, so the entity starts over.
    static func load(sourceId: String, entity: Entity, from store: any SyncStore) async throws -> SyncCursor {
        guard let text = try await store.syncCursor(sourceId: sourceId, entity: entity),
              let cursor = try? decoder.decode(SyncCursor.self, from: Data(text.utf8)) else { return SyncCursor() }
        return cursor
    }

    /// The text the store keeps (`Store.syncCursor`).
    func encoded() throws -> String {
        String(decoding: try Self.encoder.encode(self), as: UTF8.self)
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return decoder
    }()
}
