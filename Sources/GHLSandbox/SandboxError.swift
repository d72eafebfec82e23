/// Why a library or admin call on the dataset failed.
public enum SandboxError: Error, Equatable, CustomStringConvertible {
    case unknownLocation(String)
    case recordNotFound(SandboxEntity, String)
    case duplicateID(SandboxEntity, String)
    case invalidRecord(String)
    case notRunning

    public var description: String {
        switch self {
        case .unknownLocation(let id): "no location \(id) in this sandbox"
        case .recordNotFound(let entity, let id): "no \(entity.rawValue) record with id \(id)"
        case .duplicateID(let entity, let id): "a \(entity.rawValue) record with id \(id) already exists"
        case .invalidRecord(let reason): "invalid record: \(reason)"
        case .notRunning: "the sandbox is not running"
        }
    }
}
