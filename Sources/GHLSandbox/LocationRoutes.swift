import Hummingbird

/// `GET /locations/{locationId}`.
extension SandboxCore {
    func addLocationRoutes(to router: Router<BasicRequestContext>) {
        router.get("/locations/:locationId") { request, context in
            let admission = try await self.admit(request, endpoint: "GET /locations/{locationId}", location: context.parameters.get("locationId"))
            var body = ByteBuffer()
            body.writeString("{\"location\":")
            let location = self.dataset.locationJSON(admission.locationID)!
            body.writeBytes(admission.corruptsRecord ? RecordShaper.withWrongTypes(try JSONValue(parsing: location)).encoded : location)
            body.writeString("}")
            return admission.respond(body)
        }
    }
}
