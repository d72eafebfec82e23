import Hummingbird

/// Largest page the sandbox serves for the offset-paged endpoints (orders, transactions,
/// reviews). The official files are silent; 100 matches GHL's other list endpoints.
public let maxOffsetPageSize = 100
/// Largest page (`pageLimit`, `limit`) of `POST /contacts/search` and `POST /opportunities/search` (public docs).
public let maxSearchPageSize = 500
/// Deepest record `page`-based search reaches; beyond it clients must use `searchAfter` (public docs).
public let maxSearchPageDepth = 10_000
/// Largest `limit` of `GET /contacts/` and `GET /opportunities/search` (official files).
public let maxCursorPageSize = 100

extension Parameters {
    /// The first non-empty value among `names`, in order.
    func first(of names: [String]) -> String? {
        for name in names {
            if let value = self[name[...]], !value.isEmpty { return String(value) }
        }
        return nil
    }
}

/// Reads and checks query parameters, answering 422 for malformed ones.
struct QueryReader {
    let request: Request
    let admission: Admission

    /// The first of `names` the request carries. Several names spell one
    /// parameter where GHL's official SDKs send another spelling than the
    /// OpenAPI file (the Python SDK 3.0.0 sends `locationId` and `pipelineId`
    /// to `GET /opportunities/search`, whose file says `location_id` and
    /// `pipeline_id`); GHL accepts both, so the sandbox does.
    func string(_ names: String...) -> String? {
        request.uri.queryParameters.first(of: names)
    }

    func int(_ name: String, default fallback: Int, in range: ClosedRange<Int>) throws(APIError) -> Int {
        guard let text = string(name) else { return fallback }
        guard let value = Double(text).flatMap({ $0 == $0.rounded() ? Int(exactly: $0) : nil }), range.contains(value) else {
            throw admission.fail("\(name) must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// A time parameter; a bare date as an upper bound means the end of that day.
    func time(_ name: String, endOfDay: Bool = false) throws(APIError) -> Int64? {
        guard let text = string(name) else { return nil }
        guard let ms = SandboxTime.parse(text) else {
            throw admission.fail("\(name) must be a date (YYYY-MM-DD, mm-dd-yyyy, ISO 8601 or epoch milliseconds)")
        }
        let isBareDate = text.count == 10 && !text.allSatisfy(\.isNumber)
        return endOfDay && isBareDate ? ms + 86_399_999 : ms
    }

    func oneOf(_ name: String, _ allowed: [String]) throws(APIError) -> String? {
        guard let value = string(name) else { return nil }
        guard allowed.contains(value) else { throw admission.fail("\(name) must be one of: \(allowed.joined(separator: ", "))") }
        return value
    }

    /// GHL's cursor of the GET lists, `startAfter` (epoch ms) with `startAfterId`:
    /// where the page starts, or nil when neither is sent.
    func startAfter(_ entity: SandboxEntity, in dataset: Dataset, ascending: Bool) throws(APIError) -> PageQuery.Start? {
        let id = string("startAfterId")
        if let text = string("startAfter") {
            guard let ms = Int64(text) ?? Double(text).map({ Int64($0) }) else { throw admission.fail("startAfter must be a number") }
            return .after(RecordKey(ms: ms, id: id ?? (ascending ? "\u{10FFFF}" : "")))
        }
        guard let id else { return nil }
        guard let record = try? dataset.record(entity, location: admission.locationID, id: id) else {
            throw admission.fail("startAfterId \(id) is unknown; send startAfter with it")
        }
        return .after(record.key)
    }

    /// The sandbox-only `updatedAfter` parameter (see README): records updated at or after it.
    func updatedAfter() throws(APIError) -> Int64? { try time("updatedAfter") }
}

/// Combines record predicates; nil when there is nothing to filter.
struct RecordFilters {
    private var predicates: [@Sendable (StoredRecord) -> Bool] = []

    mutating func add(_ predicate: @escaping @Sendable (StoredRecord) -> Bool) { predicates.append(predicate) }

    mutating func createdBetween(_ from: Int64?, _ to: Int64?) {
        if let from { add { $0.createdAtMs >= from } }
        if let to { add { $0.createdAtMs <= to } }
    }

    mutating func updatedSince(_ from: Int64?) {
        if let from { add { $0.updatedAtMs >= from } }
    }

    /// A top-level string field equal to one of the given values.
    mutating func field(_ key: String, in values: [String]?) {
        guard let values, !values.isEmpty else { return }
        add { record in record.parsed()[key]?.stringValue.map { values.contains($0) } ?? false }
    }

    mutating func field(_ key: String, equals value: String?) { field(key, in: value.map { [$0] }) }

    var combined: (@Sendable (StoredRecord) -> Bool)? {
        guard !predicates.isEmpty else { return nil }
        let all = predicates
        return { record in all.allSatisfy { $0(record) } }
    }
}

/// Writes a list response: a prefix, the records' pre-encoded JSON, a suffix.
struct PageBody {
    private(set) var buffer: ByteBuffer

    init(records: [StoredRecord]) {
        buffer = ByteBufferAllocator().buffer(capacity: records.reduce(256) { $0 + $1.json.count + 48 })
    }

    mutating func write(_ text: String) { buffer.writeString(text) }
    mutating func write(_ bytes: [UInt8]) { buffer.writeBytes(bytes) }

    /// Records separated by commas; `corruptFirst` serves the first reshaped by that fault
    /// (see `RecordShaper.reshaped`), `extra` appends fields (e.g. `searchAfter`) to each.
    mutating func writeRecords(_ records: [StoredRecord], corruptFirst: FaultKind?, extra: ((StoredRecord) -> String)? = nil) {
        for (index, record) in records.enumerated() {
            if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
            let json = index == 0 ? corruptFirst.map { RecordShaper.reshaped(record.parsed(), by: $0).encoded } ?? record.json : record.json
            if let extra {
                buffer.writeBytes(json.dropLast())
                buffer.writeString(extra(record))
                buffer.writeInteger(UInt8(ascii: "}"))
            } else {
                buffer.writeBytes(json)
            }
        }
    }
}

extension Request {
    /// `http://host:port` as the client addressed us, for `nextPageUrl`.
    var baseURL: String {
        "http://" + (head.authority ?? "127.0.0.1")
    }
}
