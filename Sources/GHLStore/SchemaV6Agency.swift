import GRDB

extension Schema {
    /// `v6_agency_sources`: a source added through an agency's Company token names that agency
    /// (GHL's `companyId`), so re-importing the agency finds its sources and an `UNINSTALL` or
    /// `INSTALL` webhook finds the agency's credentials.
    static func addSourceCompany(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE ghl_sources ADD COLUMN company_id TEXT;
            CREATE INDEX idx_ghl_sources_company ON ghl_sources(company_id, location_id);
            """)
    }
}
