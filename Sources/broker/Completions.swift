import ArgumentParser
import AWSProvider
import BrokerCore
import Foundation

/// Dynamic shell completion: the shell runs broker to ask for candidates, so each of these must
/// be quick, print nothing else and never fail loudly (a config that does not load offers none).
enum Completions {
    /// The config's provider names (`login`, `exec`, `doctor`), from the config this command
    /// line would use (`--config` on it, else the usual search).
    static let providerNames = CompletionKind.custom { words, _, prefix in
        let environment = ProcessInfo.processInfo.environment
        let directory = FileManager.default.currentDirectoryPath
        let explicit = words.firstIndex(of: "--config").flatMap { words.indices.contains($0 + 1) ? words[$0 + 1] : nil }
        guard let location = ConfigLocation.find(explicit: explicit, environment: environment, workingDirectory: directory),
              let data = FileManager.default.contents(atPath: location.path),
              let providers = (try? JSONDecoder().decode(JSONValue.self, from: data))?.objectValue?["providers"]?.objectValue
        else { return [] }
        return providers.keys.sorted().filter { $0.hasPrefix(prefix) }
    }

    /// Recorded logins (`logout`, `refresh`), as `broker status` names them.
    static let loginNames = CompletionKind.custom { _, _, prefix in
        let records = (try? StateStore(home: BrokerHome(environment: ProcessInfo.processInfo.environment)).records()) ?? []
        return records.map(\.name).sorted().filter { $0.hasPrefix(prefix) }
    }

    /// AWS profiles from the shared config and credentials files (`--profile`).
    static let awsProfiles = CompletionKind.custom { _, _, prefix in
        let files = AWSSharedFiles(environment: ProcessInfo.processInfo.environment)
        let config = (try? files.readConfig())?.sections.map { $0.hasPrefix("profile ") ? String($0.dropFirst("profile ".count)) : $0 } ?? []
        let credentials = (try? files.readCredentials())?.sections ?? []
        return Set(config + credentials).sorted().filter { $0.hasPrefix(prefix) && !$0.contains(" ") }
    }
}
