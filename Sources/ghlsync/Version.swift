/// What `ghlsync --version` prints: the release number and the git commit the
/// executable was built from (`BuildInfo`, written at build time by BuildInfoPlugin).
enum Version {
    static let number = "0.5.0"
    static var text: String { "ghlsync \(number) (commit \(BuildInfo.commit))" }
}
