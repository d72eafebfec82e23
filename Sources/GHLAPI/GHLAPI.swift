/// GHLAPI: a typed client for the GoHighLevel API v2, the same code against
/// `https://services.leadconnectorhq.com` and the built-in sandbox.
///
/// Data flow: **GHL API** -> sync -> store -> change capture -> topic bus -> WebSocket -> dashboard.
/// This module is the first arrow: it fetches pages, reads their records and hands them to
/// GHLSync; it knows nothing of the store. It may import GHLJSON, AsyncHTTPClient and Logging.
///
///     let client = GHLClient(baseURL: "https://services.leadconnectorhq.com", locationId: loc,
///                            auth: PrivateIntegrationToken(token))   // or an OAuthSession
///     for try await page in client.pages(.contacts, updatedSince: lastSync) {
///         store(page.records)            // GHLRecord: id, object, canonicalJSON
///         log(page.malformed)            // records that could not be read, with reasons
///         save(page.checkpoint)          // resume with pages(.contacts, resumeFrom: checkpoint)
///     }
///     let location = try await client.location()
///
/// Public API, one concept per file:
/// - `GHLClient`: one per source and location; `pages(_:pageSize:updatedSince:resumeFrom:)`
///   streams `GHLPage`s, `pageBatches(...)` the pages fetched (and prepared) ahead of a
///   slower consumer in batches, `location()`; `counters` for metrics.
/// - `GHLResource`: contacts, legacyContacts, opportunities, pipelines, orders,
///   transactions, reviews: endpoint, `PagingScheme`, `maxPageSize`, `IncrementalFilter`.
/// - `GHLPage`, `PageCheckpoint` (Codable), `GHLRecord`, `GHLMalformedRecord`; records are
///   GHLJSON's `JSONValue`s (parsed with its fast parser, kept as `canonicalJSON`).
/// - `GHLCredentialProvider`: `PrivateIntegrationToken`, `OAuthSession` (refresh on 401, rotation persisted first).
/// - `RateBudget` (per location, `RateBudgetRegistry.shared`), `RetryPolicy`, `GHLCounters`.
/// - `GHLAPIError` (endpoint, status, message), `GHLTransport` / `AsyncHTTPTransport`.
