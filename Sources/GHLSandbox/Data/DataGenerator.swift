import GHLJSON
/// Generates one location's dataset from the seed. Each entity draws from its own random stream
/// so that, e.g., asking for more reviews leaves the contacts unchanged. Records are written
/// straight to JSON bytes in creation order, which is also their paging order.
struct DataGenerator {
    let seed: UInt64
    let locationIndex: Int
    let configuration: SandboxConfiguration

    /// Generated timestamps fall in this fixed range so data never depends on the wall clock.
    static let rangeStart: Int64 = 1_640_995_200_000  // 2022-01-01
    static let rangeEnd: Int64 = 1_759_276_800_000  // 2025-10-01

    private struct ContactSummary {
        let id: String
        let name: String
        let email: String?
        let phone: String?
        let companyName: String?
        let tags: [String]
    }

    private struct OrderSummary {
        let id: String
        let contact: Int
        let currency: String
        let cents: Int64
    }

    func generate() -> LocationData {
        var rng = SplitMix64(seed: seed, stream: "location", index: locationIndex)
        let locationID = rng.ghlID()
        let token = configuration.fixedToken ?? "pit-" + rng.uuid()
        let context = LocationContext(
            locationID: locationID,
            users: (0..<5).map { _ in rng.ghlID() },
            customFieldIDs: (0..<4).map { _ in rng.ghlID() },
            productIDs: Vocabulary.products.map { _ in rng.objectID() },
            storeID: rng.objectID()
        )
        var data = LocationData(context: context, token: token, location: locationJSON(context, &rng))
        let counts = configuration.counts
        let pipelines = generatePipelines(context, into: &data.tables[.pipelines, default: RecordTable()])
        let contacts = generateContacts(context, count: counts.contacts, into: &data.tables[.contacts, default: RecordTable()])
        generateOpportunities(
            context, count: contacts.isEmpty ? 0 : counts.opportunities, contacts: contacts, pipelines: pipelines,
            into: &data.tables[.opportunities, default: RecordTable()])
        let orders = generateOrders(
            context, count: contacts.isEmpty ? 0 : counts.orders, contacts: contacts, into: &data.tables[.orders, default: RecordTable()])
        generateTransactions(
            context, count: contacts.isEmpty ? 0 : counts.transactions, contacts: contacts, orders: orders,
            into: &data.tables[.transactions, default: RecordTable()])
        generateReviews(context, count: counts.reviews, into: &data.tables[.reviews, default: RecordTable()])
        return data
    }

    private func stream(_ name: String) -> SplitMix64 {
        SplitMix64(seed: seed, stream: name, index: locationIndex)
    }

    /// Increasing creation times spread over the range; `i` of `count`.
    private func createdAt(_ i: Int, of count: Int, _ rng: inout SplitMix64, start: Int64 = rangeStart) -> Int64 {
        let step = max(1, (Self.rangeEnd - start) / Int64(max(count, 1)))
        return start + Int64(i) * step + Int64(rng.below(Int(step)))
    }

    /// Half the records were never touched after creation; the rest at some later time.
    private func updatedAt(after created: Int64, _ rng: inout SplitMix64) -> Int64 {
        if rng.chance(0.5) || created >= Self.rangeEnd { return created }
        return created + Int64(rng.below(Int(min(Self.rangeEnd + 2_592_000_000 - created, Int64(Int.max)))))
    }

    private func locationJSON(_ context: LocationContext, _ rng: inout SplitMix64) -> [UInt8] {
        let (country, timezone, prefix, cities) = rng.pick(Vocabulary.countries)
        let company = rng.pick(Vocabulary.companies)
        let city = rng.pick(cities)
        let address = "\(rng.between(1, 999)) \(rng.pick(Vocabulary.streets))"
        let postal = String(rng.between(10_000, 99_999))
        let website = "https://example.com/\(context.locationID.lowercased())"
        var w = JSONWriter()
        w.beginObject()
        w.field("id", context.locationID)
        w.field("companyId", "sandbox-company")
        w.field("name", "\(company) #\(locationIndex + 1)")
        w.field("domain", "sandbox\(locationIndex + 1).msgsndr.com")
        w.field("address", address)
        w.field("city", city)
        w.field("state", "")
        w.field("country", country)
        w.field("postalCode", postal)
        w.field("website", website)
        w.field("timezone", timezone)
        w.field("firstName", rng.pick(Vocabulary.firstNames))
        w.field("lastName", rng.pick(Vocabulary.lastNames))
        w.field("email", "owner\(locationIndex + 1)@example.com")
        w.field("phone", prefix + String(rng.between(200_000_000, 999_999_999)))
        w.key("business")
        w.beginObject()
        w.field("name", company)
        w.field("address", address)
        w.field("city", city)
        w.field("country", country)
        w.field("postalCode", postal)
        w.field("website", website)
        w.field("timezone", timezone)
        w.endObject()
        w.key("settings")
        w.beginObject()
        w.endObject()
        w.endObject()
        return w.bytes
    }

    private struct PipelineSummary {
        let id: String
        let stageIDs: [String]
    }

    private func generatePipelines(_ context: LocationContext, into table: inout RecordTable) -> [PipelineSummary] {
        var rng = stream("pipelines")
        var result: [PipelineSummary] = []
        for i in 0..<max(configuration.pipelines, 0) {
            let (baseName, stageNames) = Vocabulary.pipelineTemplates[i % Vocabulary.pipelineTemplates.count]
            let round = i / Vocabulary.pipelineTemplates.count
            let id = rng.ghlID()
            let stageIDs = stageNames.map { _ in rng.uuid() }
            let created = Self.rangeStart - 86_400_000 * Int64(365 - i)
            var w = JSONWriter()
            w.beginObject()
            w.field("id", id)
            w.field("name", round == 0 ? baseName : "\(baseName) \(round + 1)")
            w.key("stages")
            w.beginArray()
            for (position, name) in stageNames.enumerated() {
                w.beginObject()
                w.field("id", stageIDs[position])
                w.field("name", name)
                w.field("position", position)
                w.field("showInFunnel", true)
                w.field("showInPieChart", position != stageNames.count - 1)
                w.endObject()
            }
            w.endArray()
            w.field("showInFunnel", true)
            w.field("showInPieChart", true)
            w.field("locationId", context.locationID)
            w.field("dateAdded", time: created)
            w.field("dateUpdated", time: created)
            w.endObject()
            table.appendSorted(StoredRecord(id: id, createdAtMs: created, updatedAtMs: created, json: w.bytes))
            result.append(PipelineSummary(id: id, stageIDs: stageIDs))
        }
        return result
    }

    private func generateContacts(_ context: LocationContext, count: Int, into table: inout RecordTable) -> [ContactSummary] {
        var rng = stream("contacts")
        var summaries: [ContactSummary] = []
        summaries.reserveCapacity(count)
        for i in 0..<count {
            let id = rng.ghlID()
            let created = createdAt(i, of: count, &rng)
            let updated = updatedAt(after: created, &rng)
            let first: String? = rng.chance(0.04) ? nil : rng.pick(Vocabulary.firstNames)
            let last: String? = rng.chance(0.1) ? nil : rng.pick(Vocabulary.lastNames)
            let (country, timezone, prefix, cities) = rng.pick(Vocabulary.countries)
            var email: String? = nil
            if !rng.chance(0.15) {
                let local = asciiHandle(first ?? "contact") + "." + asciiHandle(last ?? String(i))
                email = "\(local)\(rng.below(100))@\(rng.pick(Vocabulary.emailDomains))"
                if rng.chance(0.03) { email = email!.uppercased() }
            }
            let phone: String? = rng.chance(0.25) ? nil : prefix + String(rng.between(200_000_000, 999_999_999))
            let company: String? = rng.chance(0.6) ? nil : rng.pick(Vocabulary.companies)
            var tags: [String] = []
            for _ in 0..<rng.below(4) {
                let tag = rng.pick(Vocabulary.tags)
                if !tags.contains(tag) { tags.append(tag) }
            }
            let name = [first, last].compactMap { $0 }.joined(separator: " ")

            var w = JSONWriter(capacity: 900)
            w.beginObject()
            w.field("id", id)
            w.field("locationId", context.locationID)
            w.field("contactName", name.isEmpty ? nil : name)
            w.field("firstName", first)
            w.field("lastName", last)
            w.field("firstNameLowerCase", first?.lowercased())
            w.field("lastNameLowerCase", last?.lowercased())
            w.field("fullNameLowerCase", name.isEmpty ? nil : name.lowercased())
            w.field("email", email)
            w.field("emailLowerCase", email?.lowercased())
            w.field("phone", phone)
            w.field("companyName", company)
            w.field("type", tags.contains("customer") ? "customer" : "lead")
            w.field("source", rng.pick(Vocabulary.sources))
            w.field("dnd", rng.chance(0.05))
            w.field("timezone", timezone)
            w.field("country", country)
            if rng.chance(0.7) {
                w.field("city", rng.pick(cities))
                w.field("address1", "\(rng.between(1, 9999)) \(rng.pick(Vocabulary.streets))")
                w.field("postalCode", String(rng.between(1000, 99_999)))
            }
            if rng.chance(0.3) {
                w.field("dateOfBirth", SandboxTime.iso8601(Int64(rng.between(-20_000, 12_000)) * 86_400_000).prefix(10).description)
            }
            if rng.chance(0.8) { w.field("assignedTo", rng.pick(context.users)) }
            w.field("tags", strings: tags)
            w.key("customFields")
            w.beginArray()
            if rng.chance(0.6) {
                w.beginObject(); w.field("id", context.customFieldIDs[0]); w.field("value", String(rng.between(0, 100))); w.endObject()
            }
            if rng.chance(0.4) {
                w.beginObject(); w.field("id", context.customFieldIDs[1]); w.field("value", rng.pick(["Gold", "Silver", "Bronze", "Platin ✨"])); w.endObject()
            }
            if rng.chance(0.2) {
                w.beginObject(); w.field("id", context.customFieldIDs[2]); w.field("value", rng.pick(Vocabulary.reviewDetails)); w.endObject()
            }
            w.endArray()
            w.key("followers"); w.beginArray(); w.endArray()
            w.field("dateAdded", time: created)
            w.field("dateUpdated", time: updated)
            if updated != created { w.field("lastActivity", time: updated) }
            w.endObject()
            table.appendSorted(StoredRecord(id: id, createdAtMs: created, updatedAtMs: updated, json: w.bytes))
            summaries.append(ContactSummary(id: id, name: name, email: email, phone: phone, companyName: company, tags: tags))
        }
        return summaries
    }

    private func asciiHandle(_ name: String) -> String {
        let ascii = name.lowercased().unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || $0 == "-") }
        return ascii.isEmpty ? "user" : String(String.UnicodeScalarView(ascii))
    }

    private func generateOpportunities(
        _ context: LocationContext, count: Int, contacts: [ContactSummary], pipelines: [PipelineSummary], into table: inout RecordTable
    ) {
        guard !pipelines.isEmpty else { return }
        var rng = stream("opportunities")
        for i in 0..<count {
            let id = rng.ghlID()
            let created = createdAt(i, of: count, &rng)
            let updated = updatedAt(after: created, &rng)
            let contact = contacts[rng.below(contacts.count)]
            let pipeline = rng.pick(pipelines)
            let roll = rng.below(100)
            let status = roll < 50 ? "open" : roll < 75 ? "won" : roll < 93 ? "lost" : "abandoned"
            let stage: String
            switch status {
            case "won": stage = pipeline.stageIDs.last!
            case "open": stage = pipeline.stageIDs[rng.below(max(pipeline.stageIDs.count - 1, 1))]
            default: stage = rng.pick(pipeline.stageIDs)
            }
            let value: Double = rng.chance(0.1) ? 0 : Double(rng.between(50, 25_000)) + (rng.chance(0.3) ? Double(rng.below(100)) / 100 : 0)
            let product = rng.pick(Vocabulary.products)
            var w = JSONWriter(capacity: 900)
            w.beginObject()
            w.field("id", id)
            w.field("name", contact.name.isEmpty ? product : "\(contact.name) – \(product)")
            w.field("monetaryValue", value)
            w.field("pipelineId", pipeline.id)
            w.field("pipelineStageId", stage)
            if rng.chance(0.85) { w.field("assignedTo", rng.pick(context.users)) }
            w.field("status", status)
            w.field("source", rng.pick(Vocabulary.sources))
            w.field("lastStatusChangeAt", time: updated)
            w.field("lastStageChangeAt", time: updated)
            w.field("lastActionDate", time: updated)
            w.field("createdAt", time: created)
            w.field("updatedAt", time: updated)
            w.field("contactId", contact.id)
            w.field("locationId", context.locationID)
            w.key("contact")
            w.beginObject()
            w.field("id", contact.id)
            w.field("name", contact.name.isEmpty ? nil : contact.name)
            w.field("companyName", contact.companyName)
            w.field("email", contact.email)
            w.field("phone", contact.phone)
            w.field("tags", strings: contact.tags)
            w.endObject()
            if status == "lost" { w.field("lostReasonId", rng.pick(context.users)) }
            w.key("customFields"); w.beginArray(); w.endArray()
            w.key("followers"); w.beginArray(); w.endArray()
            w.endObject()
            table.appendSorted(StoredRecord(id: id, createdAtMs: created, updatedAtMs: updated, json: w.bytes))
        }
    }

    private func pickCurrency(_ rng: inout SplitMix64) -> (String, Bool) {
        var roll = rng.below(100)
        for (code, weight, integral) in Vocabulary.currencies {
            if roll < weight { return (code, integral) }
            roll -= weight
        }
        return ("USD", false)
    }

    private func amount(cents: Int64) -> Double { Double(cents) / 100 }

    /// The fields orders and transactions open with: their id, the location and the paying contact.
    private func beginPaymentRecord(_ w: inout JSONWriter, id: String, context: LocationContext, contact: ContactSummary, currency: String) {
        w.beginObject()
        w.field("_id", id)
        w.field("altId", context.locationID)
        w.field("altType", "location")
        w.field("contactId", contact.id)
        w.field("contactName", contact.name.isEmpty ? nil : contact.name)
        w.field("contactEmail", contact.email)
        w.field("currency", currency)
    }

    private func generateOrders(
        _ context: LocationContext, count: Int, contacts: [ContactSummary], into table: inout RecordTable
    ) -> [OrderSummary] {
        var rng = stream("orders")
        var summaries: [OrderSummary] = []
        for i in 0..<count {
            let id = rng.objectID()
            let created = createdAt(i, of: count, &rng)
            let updated = updatedAt(after: created, &rng)
            let contactIndex = rng.below(contacts.count)
            let contact = contacts[contactIndex]
            let (currency, integral) = pickCurrency(&rng)
            let subtotal = Int64(rng.between(5, 2_000)) * (integral ? 10_000 : 100) + (integral ? 0 : Int64(rng.below(100)))
            let discount = rng.chance(0.2) ? subtotal / 10 : 0
            let roll = rng.below(100)
            let status = roll < 55 ? "completed" : roll < 75 ? "pending" : roll < 88 ? "cancelled" : roll < 96 ? "refunded" : "partially_paid"
            let paymentStatus = ["completed": "paid", "pending": "unpaid", "cancelled": "unpaid", "refunded": "refunded"][status] ?? "partially_paid"
            let products = rng.between(1, 5)
            let recurring = rng.below(products + 1)
            let (sourceType, subType) = rng.pick([("funnel", "one_step_order_form"), ("funnel", "two_step_order_form"), ("website", "upsell"), ("invoice", "invoice"), ("payment_link", "payment_link")])
            var w = JSONWriter(capacity: 700)
            beginPaymentRecord(&w, id: id, context: context, contact: contact, currency: currency)
            w.field("amount", amount(cents: subtotal - discount))
            w.field("subtotal", amount(cents: subtotal))
            w.field("discount", amount(cents: discount))
            w.field("status", status)
            w.field("paymentStatus", paymentStatus)
            w.field("liveMode", !rng.chance(0.05))
            w.field("totalProducts", products)
            w.field("sourceType", sourceType)
            w.field("sourceName", rng.pick(["onestep", "Spring Sale Funnel", "Checkout ✨", "invoice"]))
            w.field("sourceId", rng.ghlID())
            w.field("sourceSubType", subType)
            if discount > 0 { w.field("couponCode", rng.pick(["SAVE10", "WELCOME", "VIP10"])) }
            w.field("fulfillmentStatus", rng.pick(["unfulfilled", "fulfilled", "partially_fulfilled"]))
            w.field("onetimeProducts", products - recurring)
            w.field("recurringProducts", recurring)
            w.field("createdAt", time: created)
            w.field("updatedAt", time: updated)
            w.endObject()
            table.appendSorted(StoredRecord(id: id, createdAtMs: created, updatedAtMs: updated, json: w.bytes))
            summaries.append(OrderSummary(id: id, contact: contactIndex, currency: currency, cents: subtotal - discount))
        }
        return summaries
    }

    private func generateTransactions(
        _ context: LocationContext, count: Int, contacts: [ContactSummary], orders: [OrderSummary], into table: inout RecordTable
    ) {
        var rng = stream("transactions")
        for i in 0..<count {
            let id = rng.objectID()
            let created = createdAt(i, of: count, &rng)
            let updated = updatedAt(after: created, &rng)
            let order = orders.isEmpty ? nil : rng.pick(orders)
            let contact = contacts[order?.contact ?? rng.below(contacts.count)]
            let (currency, integral) = order.map { o in (o.currency, o.currency == "JPY") } ?? pickCurrency(&rng)
            let cents = order?.cents ?? Int64(rng.between(5, 2_000)) * (integral ? 10_000 : 100)
            let roll = rng.below(100)
            let status = roll < 72 ? "succeeded" : roll < 86 ? "failed" : roll < 96 ? "refunded" : "pending"
            var refunded: Int64 = 0
            if status == "refunded" { refunded = rng.chance(0.7) ? cents : cents / 2 }
            if status == "succeeded", rng.chance(0.05) { refunded = cents / 4 }
            var w = JSONWriter(capacity: 900)
            beginPaymentRecord(&w, id: id, context: context, contact: contact, currency: currency)
            w.field("amount", amount(cents: cents))
            w.field("status", status)
            w.field("liveMode", !rng.chance(0.05))
            w.field("entityType", order == nil ? "payment_link" : "order")
            w.field("entityId", order?.id ?? rng.objectID())
            w.field("entitySourceType", rng.pick(["funnel", "website", "invoice", "payment_link"]))
            w.field("entitySourceSubType", rng.pick(["one_step_order_form", "two_step_order_form", "upsell"]))
            w.field("entitySourceName", rng.pick(["Spring Sale Funnel", "Main Website", "Checkout ✨"]))
            w.field("entitySourceId", rng.ghlID())
            w.field("chargeId", "ch_" + rng.ghlID())
            w.field("paymentProviderType", rng.pick(["stripe", "stripe", "paypal", "authorize-net", "nmi"]))
            w.field("ipAddress", "\(rng.between(1, 223)).\(rng.below(256)).\(rng.below(256)).\(rng.between(1, 254))")
            w.key("paymentMethod")
            w.beginObject()
            w.key("card")
            w.beginObject()
            w.field("brand", rng.pick(["visa", "mastercard", "amex", "discover"]))
            w.field("last4", String(rng.between(1000, 9999)))
            w.endObject()
            w.endObject()
            w.field("amountRefunded", amount(cents: refunded))
            w.field("createdAt", time: created)
            w.field("updatedAt", time: updated)
            w.field("fulfilledAt", time: created + Int64(rng.between(500, 30_000)))
            w.endObject()
            table.appendSorted(StoredRecord(id: id, createdAtMs: created, updatedAtMs: updated, json: w.bytes))
        }
    }

    private func generateReviews(_ context: LocationContext, count: Int, into table: inout RecordTable) {
        var rng = stream("reviews")
        for i in 0..<count {
            let id = rng.objectID()
            let created = createdAt(i, of: count, &rng)
            let updated = updatedAt(after: created, &rng)
            let rating = [1, 2, 3, 4, 4, 5, 5, 5][rng.below(8)]
            let first = rng.pick(Vocabulary.firstNames)
            let last = rng.pick(Vocabulary.lastNames)
            var w = JSONWriter(capacity: 500)
            w.beginObject()
            w.field("_id", id)
            w.field("altId", context.locationID)
            w.field("altType", "location")
            w.field("productId", rng.pick(context.productIDs))
            w.field("storeId", context.storeID)
            w.field("rating", rating)
            w.field("headline", rng.pick(Vocabulary.reviewHeadlines[rating - 1]))
            w.field("detail", rng.pick(Vocabulary.reviewDetails))
            w.field("status", rng.pick(["approved", "approved", "approved", "pending", "rejected"]))
            w.field("verified", rng.chance(0.6))
            w.key("user")
            w.beginObject()
            w.field("name", "\(first) \(last)")
            w.field("email", "\(asciiHandle(first)).\(asciiHandle(last))@\(rng.pick(Vocabulary.emailDomains))")
            w.endObject()
            w.key("reply"); w.beginArray(); w.endArray()
            w.field("createdAt", time: created)
            w.field("updatedAt", time: updated)
            w.endObject()
            table.appendSorted(StoredRecord(id: id, createdAtMs: created, updatedAtMs: updated, json: w.bytes))
        }
    }
}
