import GRDBSQLite

/// The b-trees a compiled statement's program opens, read from its `EXPLAIN`.
///
/// Every row a statement reads from the file comes through a cursor opened by
/// `OpenRead` (or `OpenWrite`/`ReopenIdx`) on a table's or an index's root
/// page; virtual tables (`VOpen`) and ephemeral tables read no b-tree of the
/// file. So the root pages listed here are all the file's data the statement
/// can reach, whatever its SQL looks like and however SQLite optimised it.
struct OpenedTables {
    /// Root pages opened in the main database.
    var rootPages: Set<Int64> = []
    /// A b-tree of another database (temp, attached) or one whose root page
    /// is computed at run time: never part of a scope.
    var unknown = false

    private static let openingOpcodes: Set<String> = ["OpenRead", "OpenWrite", "ReopenIdx"]
    /// `P5` flag saying that `P2` names a register holding the root page, not
    /// the page (`OPFLAG_P2ISREG`; only schema changes use it, refused anyway).
    private static let rootPageInRegister: Int32 = 0x10

    /// Steps the prepared `EXPLAIN` statement to its end.
    init(explaining explain: OpaquePointer) throws {
        // EXPLAIN's columns: addr, opcode, p1, p2, p3, p4, p5, comment.
        while true {
            switch sqlite3_step(explain) {
            case SQLITE_ROW:
                guard let opcode = sqlite3_column_text(explain, 1).map({ String(cString: $0) }),
                      Self.openingOpcodes.contains(opcode) else { continue }
                let database = sqlite3_column_int64(explain, 4)
                let flags = sqlite3_column_int(explain, 6)
                if database != 0 || flags & Self.rootPageInRegister != 0 {
                    unknown = true
                } else {
                    rootPages.insert(sqlite3_column_int64(explain, 3))
                }
            case SQLITE_DONE:
                return
            default:
                throw StoreError.accessDenied("the query cannot be checked")
            }
        }
    }
}
