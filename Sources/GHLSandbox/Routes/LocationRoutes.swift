import Hummingbird
import GHLJSON

/// `GET /locations/{locationId}` (a Location token, or its agency's Company token) and
/// `GET /locations/{locationId}/customFields`.
extension SandboxCore {
    func addLocationRoutes(to router: Router<BasicRequestContext>) {
        router.get("/locations/:locationId") { request, context in
            let admission = try await self.admit(request, endpoint: "GET /locations/{locationId}", location: context.parameters.get("locationId"),
                                                 agencyAccess: true)
            var body = ByteBuffer()
            body.writeString("{\"location\":")
            let location = self.dataset.locationJSON(admission.locationID)!
            if let fault = admission.recordFault {
                body.writeBytes(RecordShaper.reshaped(try JSONValue(parsing: location), by: fault).encoded)
            } else {
                body.writeBytes(location)
            }
            body.writeString("}")
            return admission.respond(body)
        }
        router.get("/locations/:locationId/customFields") { request, context in
            let admission = try await self.admit(request, endpoint: "GET /locations/{locationId}/customFields",
                                                 location: context.parameters.get("locationId"))
            let query = QueryReader(request: request, admission: admission)
            let model = try query.oneOf("model", ["contact", "opportunity", "all"]) ?? "all"
            let location = self.dataset.context(admission.locationID)!
            var w = JSONWriter()
            w.beginObject()
            w.key("customFields")
            w.beginArray()
            for (position, (id, field)) in zip(location.customFieldIDs, Vocabulary.customFields).enumerated() where model != "opportunity" {
                let (name, key, dataType, options) = field
                w.beginObject()
                w.field("id", id)
                w.field("name", name)
                w.field("fieldKey", key)
                w.field("placeholder", name)
                w.field("dataType", dataType)
                w.field("position", position * 50)
                w.field("picklistOptions", strings: options)
                w.field("locationId", location.locationID)
                w.field("model", "contact")
                w.endObject()
            }
            w.endArray()
            w.endObject()
            var body = ByteBuffer()
            body.writeBytes(w.bytes)
            return admission.respond(body)
        }
    }
}
