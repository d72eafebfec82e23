/// The tables and views a user reads through RLS, by the names the seed and
/// `/rest/v1/{name}` use; only these names ever reach a scoped read's SQL.
public enum PostgresRelation: String, CaseIterable, Sendable {
    case sources = "ghl_sources"
    case contacts = "ghl_contacts"
    case opportunities = "ghl_opportunities"
    case pipelines = "ghl_pipelines"
    case orders = "ghl_orders"
    case payments = "ghl_payments"
    case reviews = "ghl_reviews"
    case syncJobs = "ghl_sync_jobs"
    case contactsRecent = "v_ghl_contacts_recent"
    case opportunitiesReport = "v_ghl_opportunities_report"
    case pipelineStageSummary = "v_ghl_pipeline_stage_summary"
    case revenueSummary = "v_ghl_revenue_summary"
    case reviewsSummary = "v_ghl_reviews_summary"
    case syncStatus = "v_ghl_sync_status"
    case dashboardSummary = "v_ghl_dashboard_summary"

    /// The seven reporting views.
    public static let views: [PostgresRelation] = allCases.filter { $0.rawValue.hasPrefix("v_") }

    /// The column naming a row's source.
    var sourceColumn: String { self == .sources ? "id" : "source_id" }
}
