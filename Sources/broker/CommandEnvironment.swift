import BrokerCore
import BrokerIssuer
import Foundation

/// What only the executable reads from the process (its environment, the working directory's
/// repository) and hands to the libraries, which default to none of it.
enum CommandEnvironment {
    static var variables: [String: String] { ProcessInfo.processInfo.environment }
    static var brokerHome: BrokerHome { BrokerHome(environment: variables) }
}

extension Issuer {
    /// This process's issuer: the repository of the working directory (the `repository` claim,
    /// the default `sub`) and the process environment, unless given.
    init(settings: IssuerSettings, home: BrokerHome, environment: [String: String] = CommandEnvironment.variables) {
        self.init(settings: settings, home: home, repository: DefaultSubject.repositoryURL(), environment: environment)
    }
}
