/// A user's role on one source, as `user_sources.role` stores it.
///
/// Roles nest: a viewer reads; an editor also starts syncs; an owner also
/// manages the source and who may use it.
public enum Role: String, Codable, CaseIterable, Sendable, Comparable {
    case viewer, editor, owner

    public func allows(_ permission: Permission) -> Bool {
        self >= permission.minimumRole
    }

    public static func < (lhs: Role, rhs: Role) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// What a user may do with a source.
public enum Permission: String, Sendable, CaseIterable {
    /// Read its rows and views, receive its realtime events.
    case read
    /// Start a sync of it.
    case sync
    /// Change its settings and grant or revoke access to it.
    case manage

    public var minimumRole: Role {
        switch self {
        case .read: .viewer
        case .sync: .editor
        case .manage: .owner
        }
    }
}
