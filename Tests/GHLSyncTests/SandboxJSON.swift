import GHLSandbox

/// The sandbox's JSON value, by a name that does not clash with GHLAPI's.
typealias SandboxJSON = JSONValue
