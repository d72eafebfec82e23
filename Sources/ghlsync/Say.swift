import Foundation

/// Writes a line to stdout at once, unbuffered: scripts and tests wait on
/// lines such as `dashboard http://...` from a pipe while the server runs.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// Writes a line to stderr: warnings that must not mix with the output scripts parse.
func warn(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
