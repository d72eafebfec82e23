import GHLJSON

/// The fields of a resource ghlsync reads with a JSON type (`GHLResource.typedFields`), arranged
/// to find a page's unexpected types in one pass over each record: a member is compared only
/// with the fields that expect another type than its value's.
struct TypedFields {
    let fields: [(name: String, type: String)]
    /// For each JSON type (`kind`), the fields, by position, that expect another type.
    private let expectingOther: [[(position: Int, name: String)]]

    init(_ fields: [(name: String, type: String)]) {
        self.fields = fields
        let samples: [JSONValue] = [.null, .bool(false), .number(0), .string(""), .array([]), .object([:])]
        expectingOther = samples.map { sample in
            fields.indices.filter { fields[$0].type != sample.typeName }.map { ($0, fields[$0].name) }
        }
    }

    private static func kind(_ value: JSONValue) -> Int {
        switch value {
        case .null: 0
        case .bool: 1
        case .number: 2
        case .string: 3
        case .array: 4
        case .object: 5
        }
    }

    /// `"<name> is a <type>, expected a <type>"` for each field whose value (the last, for a
    /// repeated key) is neither null nor of the expected type, in `fields` order.
    func unexpected(in object: JSONObject) -> [String] {
        var candidates: [Int] = []
        object.fields.withUnsafeBufferPointer { members in
            for member in members.indices {
                let kind = Self.kind(members[member].value)
                guard kind != 0 else { continue }
                expectingOther[kind].withUnsafeBufferPointer { others in
                    for other in others.indices where others[other].name == members[member].key { candidates.append(others[other].position) }
                }
            }
        }
        guard !candidates.isEmpty else { return [] }
        return Set(candidates).sorted().compactMap { position in
            let field = fields[position]
            guard let value = object[field.name], !value.isNull, value.typeName != field.type else { return nil }
            return "\(field.name) is \(withArticle(value.typeName)), expected \(withArticle(field.type))"
        }
    }
}

func withArticle(_ typeName: String) -> String {
    (typeName.first.map { "aeiou".contains($0) } ?? false ? "an " : "a ") + typeName
}
