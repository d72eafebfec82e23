import ArgumentParser

// Scaffolding: replaced by the module that implements `ghlsync serve`.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "(not built yet)")
    func run() async throws { throw ValidationError("ghlsync serve is not built yet") }
}
