import GHLSandbox
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import GHLJSON

@Suite struct PagingTests {
    @Test(arguments: Walk.allCases)
    func everyRecordExactlyOnce(walk: Walk) async throws {
        let sandbox = try makeSandbox()
        let location = sandbox.locations[0]
        let expected = try sandbox.records(walk.entity, location: location.locationID).ids
        #expect(!expected.isEmpty)
        let seen = try await withRouter(sandbox) { client in
            try await walk.all(client, location: location.locationID, token: location.token, size: 7)
        }
        #expect(seen == expected)
    }

    /// Records present for the whole run come back exactly once even when records are updated
    /// and added between pages; new records come back at most once.
    @Test(arguments: Walk.allCases)
    func stableWhileRecordsChange(walk: Walk) async throws {
        let sandbox = try makeSandbox()
        let location = sandbox.locations[0]
        let entity = walk.entity
        let before = try sandbox.records(entity, location: location.locationID).ids
        let patch: JSONValue = entity == .contacts ? ["firstName": "Renamed"] : ["status": "won"]
        let (seen, added) = try await withRouter(sandbox) { client in
            var added: [String] = []
            let seen = try await walk.all(client, location: location.locationID, token: location.token, size: 5) { page in
                guard page <= 3 else { return }
                // One record already served, one not yet, and a brand new one.
                try sandbox.update(entity, location: location.locationID, id: before[page], patch: patch)
                try sandbox.update(entity, location: location.locationID, id: before[before.count - page], patch: patch)
                let new = try sandbox.create(entity, location: location.locationID, fields: ["name": .string("new \(page)")])
                added.append((new["id"] ?? new["_id"])!.stringValue!)
            }
            return (seen, added)
        }
        for id in before { #expect(seen.filter { $0 == id }.count == 1, "\(walk) \(id)") }
        for id in added { #expect(seen.filter { $0 == id }.count <= 1) }
        #expect(Set(seen).isSubset(of: Set(before + added)))
    }

    @Test func contactSearchPagesStopAtTenThousandRecords() async throws {
        let sandbox = try makeSandbox()
        let location = sandbox.locations[0]
        try await withRouter(sandbox) { client in
            let deep = try await client.api(.post, "/contacts/search", token: location.token,
                json: ["locationId": .string(location.locationID), "pageLimit": 500, "page": 21])
            #expect(deep.status == .unprocessableContent)
            let edge = try await client.api(.post, "/contacts/search", token: location.token,
                json: ["locationId": .string(location.locationID), "pageLimit": 500, "page": 20])
            #expect(edge.status == .ok)
            let tooBig = try await client.api(.post, "/contacts/search", token: location.token,
                json: ["locationId": .string(location.locationID), "pageLimit": 501])
            #expect(tooBig.status == .unprocessableContent)
        }
    }

    @Test func contactSearchFiltersByUpdateTimeAndTags() async throws {
        let sandbox = try makeSandbox()
        let location = sandbox.locations[0]
        let all = try sandbox.records(.contacts, location: location.locationID)
        let target = all[10]["id"]!.stringValue!
        let updated = try sandbox.update(.contacts, location: location.locationID, id: target, patch: ["tags": ["vip", "fresh"]])
        let since = updated["dateUpdated"]!.stringValue!
        try await withRouter(sandbox) { client in
            let recent = try await client.api(.post, "/contacts/search", token: location.token, json: [
                "locationId": .string(location.locationID), "pageLimit": 100,
                "filters": [["field": "dateUpdated", "operator": "range", "value": ["gte": .string(since)]]],
                "sort": [["field": "dateUpdated", "direction": "asc"]],
            ])
            #expect(try recent.json["contacts"]!.ids == [target])
            #expect(try recent.json["total"] == 1)
            let tagged = try await client.api(.post, "/contacts/search", token: location.token, json: [
                "locationId": .string(location.locationID), "pageLimit": 100,
                "filters": [["field": "tags", "operator": "contains", "value": ["fresh"]]],
            ])
            #expect(try tagged.json["contacts"]!.ids == [target])
            let vip = try await client.api(.post, "/contacts/search", token: location.token, json: [
                "locationId": .string(location.locationID), "pageLimit": 500,
                "filters": [["field": "tags", "operator": "eq", "value": "vip"]],
            ])
            let expected = all.filter { ($0["tags"]?.arrayValue ?? []).contains("vip") }.count + (all[10]["tags"]!.arrayValue!.contains("vip") ? 0 : 1)
            #expect(try vip.json["contacts"]!.ids.count == expected)
        }
    }

    @Test func opportunitiesFilterByStatusPipelineAndUpdatedAfter() async throws {
        let sandbox = try makeSandbox()
        let location = sandbox.locations[0]
        let all = try sandbox.records(.opportunities, location: location.locationID)
        let won = all.filter { $0["status"] == "won" }.ids
        let pipeline = all[0]["pipelineId"]!.stringValue!
        let inPipeline = all.filter { $0["pipelineId"]?.stringValue == pipeline }.ids
        try await withRouter(sandbox) { client in
            let base = "/opportunities/search?location_id=\(location.locationID)&limit=100"
            #expect(try await client.api(.get, base + "&status=won", token: location.token).json["opportunities"]!.ids == won)
            #expect(try await client.api(.get, base + "&pipeline_id=\(pipeline)", token: location.token).json["opportunities"]!.ids == inPipeline)
            let changed = try sandbox.update(.opportunities, location: location.locationID, id: all[3]["id"]!.stringValue!, patch: ["monetaryValue": 1])
            let since = changed["updatedAt"]!.stringValue!
            let recent = try await client.api(.get, base + "&updatedAfter=\(since)", token: location.token).json
            #expect(recent["opportunities"]!.ids == [all[3]["id"]!.stringValue!])
            #expect(recent["meta"]?["total"] == 1)
            #expect(try await client.api(.get, base + "&status=maybe", token: location.token).status == .unprocessableContent)
        }
    }

    /// The official Python SDK 3.0.0 sends camelCase names (`locationId`, `pipelineId`,
    /// `pipelineStageId`, `contactId`, `assignedTo`) where the OpenAPI file says snake_case:
    /// both spellings select the same records, and the next page keeps the SDK's spelling.
    @Test func opportunitiesAcceptTheOfficialSDKSpellings() async throws {
        let sandbox = try makeSandbox()
        let location = sandbox.locations[0]
        let all = try sandbox.records(.opportunities, location: location.locationID)
        try await withRouter(sandbox) { client in
            let sdk = try await client.api(.get, "/opportunities/search?locationId=\(location.locationID)&limit=10", token: location.token)
            #expect(sdk.status == .ok, "\(String(buffer: sdk.body))")
            #expect(try sdk.json["opportunities"]!.ids == Array(all.ids.prefix(10)))
            #expect(try sdk.json["meta"]?["nextPageUrl"]?.stringValue?.contains("locationId=\(location.locationID)") == true)
            for (file, official, field) in [("pipeline_id", "pipelineId", "pipelineId"), ("pipeline_stage_id", "pipelineStageId", "pipelineStageId"),
                                            ("contact_id", "contactId", "contactId"), ("assigned_to", "assignedTo", "assignedTo")] {
                let value = all.compactMap { $0[field]?.stringValue }.first!
                let expected = all.filter { $0[field]?.stringValue == value }.ids
                let byFile = try await client.api(.get, "/opportunities/search?location_id=\(location.locationID)&limit=100&\(file)=\(value)", token: location.token)
                let bySDK = try await client.api(.get, "/opportunities/search?locationId=\(location.locationID)&limit=100&\(official)=\(value)", token: location.token)
                #expect(try byFile.json["opportunities"]!.ids == expected, "\(file)")
                #expect(try bySDK.json["opportunities"]!.ids == expected, "\(official)")
                let none = try await client.api(.get, "/opportunities/search?locationId=\(location.locationID)&limit=100&\(official)=nobody", token: location.token)
                #expect(try none.json["opportunities"]!.ids.isEmpty, "\(official) filters")
            }
            let missing = try await client.api(.get, "/opportunities/search?limit=10", token: location.token)
            #expect(missing.status == .unprocessableContent)
        }
    }

    /// `POST /opportunities/search` serves the GET list's records byte for byte (plus each
    /// record's `searchAfter`), filters on GHL's snake_case fields, sorts, and answers 422.
    @Test func opportunitySearchServesTheSameRecordsAndFilters() async throws {
        let sandbox = try makeSandbox()
        let location = sandbox.locations[0]
        let loc = JSONValue.string(location.locationID)
        let all = try sandbox.records(.opportunities, location: location.locationID)
        try await withRouter(sandbox) { client in
            func search(_ body: JSONValue) async throws -> TestResponse {
                try await client.api(.post, "/opportunities/search", token: location.token, json: body)
            }
            let listed = try await client.api(.get, "/opportunities/search?location_id=\(location.locationID)&limit=100", token: location.token)
            let searched = try await search(["locationId": loc, "limit": 500])
            #expect(searched.status == .ok)
            let found = try searched.json
            #expect(found["total"] == .number(Double(all.count)))
            #expect(found["aggregations"] == .object([]))
            var stripped = found["opportunities"]!.arrayValue!
            for index in stripped.indices { stripped[index].set("searchAfter", nil) }
            #expect(stripped == (try listed.json["opportunities"]!.arrayValue!))

            let won = all.filter { $0["status"] == "won" }.ids
            let pipeline = all[0]["pipelineId"]!
            let wonInPipeline = all.filter { $0["status"] == "won" && $0["pipelineId"] == pipeline }.ids
            #expect(try await search(["locationId": loc, "limit": 100,
                "filters": [["field": "status", "operator": "eq", "value": "won"]]]).json["opportunities"]!.ids == won)
            #expect(try await search(["locationId": loc, "limit": 100, "filters": [
                ["field": "status", "operator": "eq", "value": "won"], ["field": "pipeline_id", "operator": "eq", "value": pipeline],
            ]]).json["opportunities"]!.ids == wonInPipeline)

            let changed = try sandbox.update(.opportunities, location: location.locationID, id: all[3]["id"]!.stringValue!, patch: ["monetaryValue": 1])
            let recent = try await search(["locationId": loc, "limit": 100,
                "filters": [["field": "date_updated", "operator": "range", "value": ["gte": changed["updatedAt"]!]]],
                "sort": [["field": "date_updated", "direction": "asc"]]]).json
            #expect(recent["opportunities"]!.ids == [all[3]["id"]!.stringValue!])
            #expect(recent["total"] == 1)
            let newestFirst = try await search(["locationId": loc, "limit": 2, "sort": [["field": "date_added", "direction": "desc"]]]).json
            #expect(newestFirst["opportunities"]!.ids == Array(all.ids.reversed().prefix(2)))

            for bad: JSONValue in [
                ["locationId": loc, "limit": 501], ["locationId": loc, "limit": 500, "page": 21],
                ["locationId": loc, "limit": 10, "page": 1, "searchAfter": [1, "x"]],
                ["locationId": loc, "filters": [["field": "dateUpdated", "operator": "range", "value": ["gte": 1]]]],
                ["locationId": loc, "filters": [["field": "date_updated", "operator": "range", "value": ["gte": "soon"]]]],
                ["locationId": loc, "sort": [["field": "name", "direction": "up"]]], ["locationId": loc, "query": 5],
            ] {
                #expect(try await search(bad).status == .unprocessableContent, "\(bad)")
            }
        }
    }

    @Test func pipelinesAndLocation() async throws {
        let sandbox = try makeSandbox()
        let location = sandbox.locations[0]
        try await withRouter(sandbox) { client in
            let pipelines = try await client.api(.get, "/opportunities/pipelines?locationId=\(location.locationID)", token: location.token).json
            let list = pipelines["pipelines"]!.arrayValue!
            #expect(list.count == 3)
            for pipeline in list {
                let positions = pipeline["stages"]!.arrayValue!.map { $0["position"]!.doubleValue! }
                #expect(positions == positions.indices.map(Double.init))
            }
            let loc = try await client.api(.get, "/locations/\(location.locationID)", token: location.token).json
            #expect(loc["location"]?["id"]?.stringValue == location.locationID)
        }
    }
}
