import GHLJSON

/// Installing or uninstalling the agency's app on a location, with the signed `INSTALL` /
/// `UNINSTALL` webhook GHL sends for it (shared/ghl-api/webhooks/AppInstall.md, AppUninstall.md).
extension SandboxCore {
    func installApp(location: String) throws(SandboxError) -> Bool {
        guard agency.owns(location) else { throw .unknownLocation(location) }
        guard agency.install(location) else { return false }
        webhooks.send(payload: appEvent("INSTALL", location: location))
        return true
    }

    func uninstallApp(location: String) throws(SandboxError) -> Bool {
        guard agency.owns(location) else { throw .unknownLocation(location) }
        guard agency.uninstall(location) else { return false }
        tokens.revoke(location: location)
        webhooks.send(payload: appEvent("UNINSTALL", location: location))
        return true
    }

    private func appEvent(_ type: String, location: String) -> JSONValue {
        var payload = JSONValue.object([])
        payload.set("type", .string(type))
        payload.set("appId", .string(Agency.appID(clientID: tokens.clientID)))
        payload.set("companyId", .string(agency.companyID))
        payload.set("locationId", .string(location))
        if type == "INSTALL" { payload.set("userId", .string("sandbox-user")) }
        return payload
    }
}
