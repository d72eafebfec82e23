import Foundation
import GHLJSON

/// One page of records, as the paginator streams them.
public struct GHLPage: Sendable {
    public var resource: GHLResource
    /// Records read from this page, in the order GHL sent them.
    public var records: [GHLRecord]
    /// Records of this page that could not be read; never silently dropped.
    public var malformed: [GHLMalformedRecord]
    /// 0 for the first page of a run, counting on across a resumed run.
    public var index: Int
    /// The total GHL reports for the whole listing, when it reports one.
    public var total: Int?
    /// Where to resume after this page; nil on the last page.
    public var checkpoint: PageCheckpoint?

    public var isLast: Bool { checkpoint == nil }
}

/// Where a listing stands after a page: persist it to resume an interrupted
/// sync after the last page that was stored.
///
/// It carries the page size and the filters of the run, since
/// a cursor is only meaningful with them; a resumed run uses these.
public struct PageCheckpoint: Sendable, Codable, Hashable {
    public enum Cursor: Sendable, Codable, Hashable {
        /// Contact and opportunity search: the `searchAfter` values of the last record.
        case searchAfter([JSONValue])
        /// Search without `searchAfter` in the records: the next page number.
        case page(Int)
        /// `startAfter` (epoch ms) and `startAfterId` of the cursor endpoints.
        case startAfter(JSONValue, id: String)
        /// Offset of the next record.
        case offset(Int)
    }

    public var resource: GHLResource
    /// nil before the first page.
    public var cursor: Cursor?
    public var nextPageIndex: Int
    public var pageSize: Int
    public var updatedSince: Date?
    /// Server-side filters of the run (nil: none).
    public var filter: GHLListFilter?
    /// Records delivered so far in this run (including earlier resumed parts).
    public var recordsSoFar: Int
    /// GHL's total for the listing, once a page has reported it.
    public var total: Int?

    /// Pages the listing still needs one after the other: its claim on the
    /// shared budgets (`RateBudget.acquire(priority:)`, `PageBudget.acquire(priority:)`).
    /// Before the total is known, the most: the first page tells how long the
    /// listing is, and a process syncing many locations starts them all at once.
    var remainingPages: Int {
        guard let total else { return .max }
        return (max(total - recordsSoFar, 0) + pageSize - 1) / pageSize
    }
}

extension PageCheckpoint {
    /// Whether the cursor is one the resource's endpoint takes. A checkpoint
    /// saved before an entity moved endpoints (opportunities: from the `GET`
    /// list's `startAfter` to search's `searchAfter`) does not, and its
    /// listing starts over, with the same page size and filter.
    var fitsPagingScheme: Bool {
        switch (cursor, resource.pagingScheme) {
        case (nil, _), (.searchAfter?, .searchAfter), (.page?, .searchAfter), (.startAfter?, .startAfterCursor), (.offset?, .offset): true
        default: false
        }
    }

    /// Where the page after this one starts, when this position alone tells:
    /// an offset listing whose total is known and goes on past this page
    /// (a full page, the only kind GHL serves before the last). The
    /// paginator then fetches it without waiting for this page's response.
    var predictedNext: PageCheckpoint? {
        guard resource.pagingScheme == .offset, let total else { return nil }
        let offset: Int
        switch cursor {
        case .offset(let value)?: offset = value
        case nil: offset = 0
        default: return nil
        }
        guard offset + pageSize < total else { return nil }
        var next = self
        next.cursor = .offset(offset + pageSize)
        next.recordsSoFar += pageSize
        next.nextPageIndex += 1
        return next
    }
}
