import ArgumentParser

// Scaffolding: replaced by the module that implements `ghlsync users`.
struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "users", abstract: "(not built yet)")
    func run() async throws { throw ValidationError("ghlsync users is not built yet") }
}
