import Foundation
import PackagePlugin

/// Compiles the target's `Dashboard/` folder into Swift source at build time
/// (through `DashboardAssetGenerator`), so the executable carries the dashboard.
@main
struct DashboardAssetsPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let folder = target.directoryURL.appending(path: "Dashboard")
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
            .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true && !$0.lastPathComponent.hasPrefix(".") }
            .sorted { $0.path < $1.path }
        let output = context.pluginWorkDirectoryURL.appending(path: "DashboardAssets+Files.swift")
        return [.buildCommand(displayName: "Embedding the dashboard (\(files.count) files)",
                              executable: try context.tool(named: "DashboardAssetGenerator").url,
                              arguments: [output.path] + files.map(\.path),
                              inputFiles: files, outputFiles: [output])]
    }
}
