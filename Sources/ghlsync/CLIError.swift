/// A failure the user can act on (a file missing or unusable, a port in use):
/// printed as one line, `Error: ...`, with a non-zero exit. `ValidationError`
/// would add the usage text, which is for mistakes in the command line itself.
struct CLIError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
