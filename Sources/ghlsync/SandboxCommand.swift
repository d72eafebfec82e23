import ArgumentParser

// Scaffolding: replaced by the module that implements `ghlsync sandbox`.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sandbox", abstract: "(not built yet)")
    func run() async throws { throw ValidationError("ghlsync sandbox is not built yet") }
}
