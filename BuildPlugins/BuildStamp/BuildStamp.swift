import Foundation
import PackagePlugin

/// Generates `BuildStamp.swift` (the commit and date `broker --version` prints) before every
/// build of the executable, by running `scripts/build-stamp`, which rewrites it only when
/// either changed: the binary never asks git at run time.
@main
struct BuildStamp: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let directory = context.pluginWorkDirectoryURL.appending(path: "stamp")
        let script = context.package.directoryURL.appending(path: "scripts/build-stamp")
        return [.prebuildCommand(displayName: "Stamping the build with its commit and date", executable: URL(fileURLWithPath: "/bin/sh"),
                                 arguments: [script.path, context.package.directoryURL.path, directory.appending(path: "BuildStamp.swift").path],
                                 outputFilesDirectory: directory)]
    }
}
