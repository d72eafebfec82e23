extension GHLClient {
    /// The location's custom fields of one model (`GET /locations/{locationId}/customFields`):
    /// `contact` or `opportunity`. Each record keeps all of GHL's fields
    /// (`id`, `name`, `fieldKey`, `dataType`, ...).
    public func customFields(model: String = "contact") async throws -> [GHLRecord] {
        let path = "/locations/\(Self.percentEncode(locationId))/customFields"
        let endpoint = "GET /locations/{locationId}/customFields"
        let json = try await send(method: "GET", path: path, query: [("model", model)], endpoint: endpoint) { json in
            json["customFields"]?.arrayValue == nil ? "no \"customFields\" array" : nil
        }
        return try json["customFields"]!.arrayValue!.map { element in
            switch GHLRecord.read(element, typedFields: [("name", "string"), ("fieldKey", "string")]) {
            case .success(let record): return record
            case .failure(let problem):
                throw GHLAPIError(kind: .invalidResponse, endpoint: endpoint, status: 200, message: problem.reason, attempts: 1)
            }
        }
    }
}
