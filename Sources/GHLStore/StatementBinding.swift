import Foundation
import GRDB
import GRDBSQLite

/// Binds values straight to a prepared SQLite statement, without GRDB's
/// argument arrays: the sync writer binds some twenty values a record, and a
/// third of its CPU went to Swift, GRDB and malloc (`perf`), much of it
/// building each record's `StatementArguments`. SQLite copies each value
/// before the call returns (`SQLITE_TRANSIENT`).
enum StatementBinding {
    static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    static func bind(_ value: StoreValue, at index: Int32, in statement: OpaquePointer) -> Int32 {
        switch value {
        case .null: sqlite3_bind_null(statement, index)
        case .integer(let v): sqlite3_bind_int64(statement, index, v)
        case .real(let v): sqlite3_bind_double(statement, index, v)
        case .text(let v): bind(v, at: index, in: statement)
        case .blob(let v):
            v.withUnsafeBytes { bytes in
                guard let base = bytes.baseAddress, !bytes.isEmpty else { return sqlite3_bind_zeroblob(statement, index, 0) }
                return sqlite3_bind_blob(statement, index, base, Int32(bytes.count), transient)
            }
        }
    }

    static func bind(_ value: DatabaseValue, at index: Int32, in statement: OpaquePointer) -> Int32 {
        bind(StoreValue(value), at: index, in: statement)
    }

    /// Text as its UTF-8 bytes (an empty string is '' and not NULL).
    static func bind(_ text: String, at index: Int32, in statement: OpaquePointer) -> Int32 {
        var text = text
        return text.withUTF8 { bytes in
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return sqlite3_bind_text(statement, index, "", 0, transient) }
            return sqlite3_bind_text(statement, index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(bytes.count), transient)
        }
    }

    static func bind(_ text: String?, at index: Int32, in statement: OpaquePointer) -> Int32 {
        guard let text else { return sqlite3_bind_null(statement, index) }
        return bind(text, at: index, in: statement)
    }
}
