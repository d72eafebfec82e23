import ArgumentParser

// Scaffolding: replaced by the module that implements `ghlsync sync`.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sync", abstract: "(not built yet)")
    func run() async throws { throw ValidationError("ghlsync sync is not built yet") }
}
