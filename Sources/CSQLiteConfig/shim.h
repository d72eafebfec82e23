/// sqlite3_db_config is variadic, so Swift cannot call it: this wrapper lets
/// the store switch a connection's triggers off for the writes it logs itself.
#include <sqlite3.h>

/// Turns the connection's triggers on (1) or off (0); returns SQLite's result
/// code and, in `*enabled`, whether they are on afterwards.
static inline int ghl_sqlite_enable_triggers(sqlite3 *db, int on, int *enabled) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, on, enabled);
}
