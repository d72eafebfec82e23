import ArgumentParser

// Scaffolding: replaced by the module that implements `ghlsync bench`.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "(not built yet)")
    func run() async throws { throw ValidationError("ghlsync bench is not built yet") }
}
