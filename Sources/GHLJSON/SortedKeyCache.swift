/// Sorts the keys of a page's records once, not once per record, for canonical JSON.
///
/// Records of one listing share their keys, in one order, each leaving out some (GHL omits
/// empty fields). The cache holds the keys seen so far at one nesting depth, in an order
/// that has every object seen as a subsequence, with each key's rank in sorted order. An
/// object whose keys are a subsequence of it has unique keys, and their sorted order is
/// the order of their ranks: a walk with equality checks instead of a sort. Any other
/// object is sorted as `JSONObject.sortedUniqueIndices` sorts it, and its keys merged in.
struct SortedKeyCache {
    /// Unique keys, every cached object's keys a subsequence of them.
    private var keys: [String] = []
    /// The rank of each of `keys` in sorted order.
    private var ranks: [Int] = []
    /// Scratch: the member at each rank (-1: none), kept to spare an allocation per object.
    private var byRank: [Int] = []

    /// Past this many keys the cache starts over from the keys of the object that would pass it.
    static let capacity = 256

    /// `object.sortedUniqueIndices`.
    mutating func sortedIndices(of object: JSONObject) -> [Int] {
        let fields = object.fields
        if let order = rankedOrder(of: fields) { return order }
        let order = object.sortedUniqueIndices
        if order.count == fields.count { learn(fields, sortedAs: order) }
        return order
    }

    /// The sorted order from the ranks, or nil when the keys are not a subsequence of `keys`.
    private mutating func rankedOrder(of fields: [JSONField]) -> [Int]? {
        guard fields.count <= keys.count else { return nil }
        byRank.removeAll(keepingCapacity: true)
        byRank.append(contentsOf: repeatElement(-1, count: keys.count))
        var position = 0
        for (index, field) in fields.enumerated() {
            while position < keys.count, keys[position] != field.key { position += 1 }
            guard position < keys.count else { return nil }
            byRank[ranks[position]] = index
            position += 1
        }
        var order: [Int] = []
        order.reserveCapacity(fields.count)
        for index in byRank where index >= 0 { order.append(index) }
        return order
    }

    /// Merges unique `fields`' keys (in sorted order `order`) into `keys` (greedily: a key of
    /// either side not found further on in the other is taken as it comes), then ranks them anew.
    private mutating func learn(_ fields: [JSONField], sortedAs order: [Int]) {
        // The first object (or a one-off write) ranks its own keys: no merge, no second sort.
        guard !keys.isEmpty else { return remember(fields.map(\.key), sortedAs: order) }
        var merged: [String] = []
        merged.reserveCapacity(keys.count + fields.count)
        var position = 0
        for field in fields {
            if let found = keys[position...].firstIndex(of: field.key) {
                merged += keys[position..<found]
                position = found + 1
            }
            merged.append(field.key)
        }
        merged += keys[position...]
        let sorted = JSONObject(merged.map { JSONField(key: $0, value: .null) }).sortedUniqueIndices
        // Greedy merging can repeat a key (two objects ordering it differently): start over then.
        guard sorted.count == merged.count, merged.count <= Self.capacity else { return remember(fields.map(\.key), sortedAs: order) }
        remember(merged, sortedAs: sorted)
    }

    /// Keeps `keys`, whose positions in sorted order are `order`.
    private mutating func remember(_ keys: [String], sortedAs order: [Int]) {
        self.keys = keys
        ranks = Array(repeating: 0, count: keys.count)
        for (rank, index) in order.enumerated() { ranks[index] = rank }
    }
}
