import ArgumentParser

// Scaffolding: replaced by the module that implements `ghlsync demo`.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo", abstract: "(not built yet)")
    func run() async throws { throw ValidationError("ghlsync demo is not built yet") }
}
