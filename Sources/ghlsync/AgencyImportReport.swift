import GHLStore

/// What `sources import` and `connect` (with a Company token) print: one line per location the
/// import touches, then a summary line.
struct AgencyImportReport {
    let plan: AgencyImport
    let dryRun: Bool

    func print() {
        let verbs = dryRun ? ["would add", "would reactivate", "would deactivate"] : ["added", "reactivated", "deactivated"]
        for (verb, sources) in zip(verbs, [plan.added, plan.reactivated, plan.deactivated]) {
            for source in sources { say("\(verb) \(source.locationId) \(source.name) (source \(source.id))") }
        }
        for source in plan.unchanged { say("unchanged \(source.locationId) \(source.name) (source \(source.id))") }
        say("\(dryRun ? "dry run: " : "")\(plan.added.count) added, \(plan.reactivated.count) reactivated, "
            + "\(plan.deactivated.count) deactivated, \(plan.unchanged.count) unchanged")
    }
}
