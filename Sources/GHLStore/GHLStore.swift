/// GHLStore: the SQLite file. Schema and migrations, upserts, sync bookkeeping, the
/// reporting views, scoped reads for one user, and change capture.
///
/// Data flow: GHL API -> sync -> **store -> change capture** -> topic bus -> WebSocket -> dashboard.
/// GHLSync writes records here; every commit's row changes leave through `ChangeCapture` as
/// `ChangeEvent`s for the topic bus; the server reads through `ScopedReader`. The store owns
/// its SQL: other modules call its APIs rather than writing queries, all `async` (see
/// `StorePool`: a blocking read inside a task can deadlock the cooperative pool). It may import GRDB
/// only (no other ghlsync module), so any module may depend on it, and CSQLiteConfig, for the one
/// SQLite call GRDB does not wrap (`ChangeLogBatch` switching the writer's triggers).
