import BrokerCore
import Foundation
import Testing

/// A stand-in for GitHub's token service: a real HTTP server on 127.0.0.1 (Python's
/// ThreadingHTTPServer) that checks the bearer and the audience parameter, logs every request
/// path, and follows a plan for its first answers ("503", "429", "hang", "novalue", "notjwt").
private final class GitHubTokenStub {
    let process = Process()
    let directory = temporaryDirectory()
    let port: Int

    static let script = #"""
import base64, json, os, sys, threading, time, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

directory, bearer, audience, plan = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
plan = plan.split(",") if plan else []
lock = threading.Lock()
seen = [0]

def b64(obj):
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        with lock:
            step = plan[seen[0]] if seen[0] < len(plan) else "ok"
            seen[0] += 1
            with open(os.path.join(directory, "requests"), "a") as log:
                log.write(self.path + "\n")
        if step.isdigit():
            return self.reply(int(step), {"message": "stub says %s" % step})
        if step == "hang":
            time.sleep(30)
        got = self.headers.get("Authorization", "")
        if got != "Bearer " + bearer:
            # Echo the header, as a careless server might: the client must not repeat it.
            return self.reply(401, {"message": "bad bearer: " + got})
        query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        if query.get("audience") != [audience]:
            return self.reply(400, {"message": "unexpected audience %s" % query.get("audience")})
        if step == "novalue":
            return self.reply(200, {"count": 1})
        if step == "notjwt":
            return self.reply(200, {"value": "secret-not-a-jwt"})
        claims = {"iss": "https://token.actions.githubusercontent.com", "sub": "repo:o/r:ref:refs/heads/main",
                  "aud": audience, "exp": int(time.time()) + 300}
        self.reply(200, {"count": 1, "value": b64({"alg": "RS256", "typ": "JWT"}) + "." + b64(claims) + ".c2ln"})

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(os.path.join(directory, "port.tmp"), "w") as f:
    f.write(str(server.server_port))
os.rename(os.path.join(directory, "port.tmp"), os.path.join(directory, "port"))
server.serve_forever()
"""#

    init(bearer: String = GitHubTokenStub.bearer, audience: String = "sts.amazonaws.com", plan: [String] = []) async throws {
        try Self.script.write(toFile: directory + "/stub.py", atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: ProcessRunner.locate("python3", environment: ProcessInfo.processInfo.environment) ?? "/usr/bin/python3")
        process.arguments = [directory + "/stub.py", directory, bearer, audience, plan.joined(separator: ",")]
        try process.run()
        guard let port = await Self.waitForPort(directory + "/port", process: process) else {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            throw BrokerError.failure("the GitHub token stub did not start")
        }
        self.port = port
    }

    /// The stub writes its port (bound to 0) to a file once it listens.
    private static func waitForPort(_ file: String, process: Process) async -> Int? {
        let deadline = Date().addingTimeInterval(60)  // eleven stubs start at once; under ThreadSanitizer that is slow
        while Date() < deadline, process.isRunning {
            if let text = try? String(contentsOfFile: file, encoding: .utf8), let port = Int(text) { return port }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        return nil
    }

    static let bearer = "request-token-SECRET-5f1e"

    /// GitHub's URL comes with a query string already.
    var url: String { "http://127.0.0.1:\(port)/idtoken?api-version=2.0" }

    var requests: [String] {
        ((try? String(contentsOfFile: directory + "/requests", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func environment(url: String? = nil, bearer: String = GitHubTokenStub.bearer) -> [String: String] {
        [GitHubActionsTokenSource.urlVariable: url ?? self.url, GitHubActionsTokenSource.tokenVariable: bearer]
    }

    /// SIGKILL, because a child spawned from a test thread inherits a mask that blocks SIGTERM.
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

/// Quick retries so the suite stays fast; the defaults are 5 attempts within 30s.
private func source(_ environment: [String: String], attempts: Int = 5, attemptTimeout: TimeInterval = 5) -> GitHubActionsTokenSource {
    GitHubActionsTokenSource(environment: environment,
                             retry: RetryPolicy(maxAttempts: attempts, baseDelay: 0.05, maxDelay: 0.2, deadline: 20),
                             attemptTimeout: attemptTimeout)
}

private func errorText(_ operation: () async throws -> IdentityToken) async -> String {
    do {
        _ = try await operation()
        Issue.record("expected an error")
        return ""
    } catch { return "\(error)" }
}

@Suite struct CITokenSourceGitHubTests {
    @Test func fetchesATokenWithBearerAndEncodedAudience() async throws {
        let audience = "api://AzureADTokenExchange"
        let stub = try await GitHubTokenStub(audience: audience)
        defer { stub.stop() }
        let token = try await source(stub.environment()).token(audience: audience)
        #expect(token.audiences == [audience])
        #expect(token.subject == "repo:o/r:ref:refs/heads/main")
        #expect(stub.requests == ["/idtoken?api-version=2.0&audience=api%3A%2F%2FAzureADTokenExchange"])
    }

    @Test func urlWithoutQueryGetsAQuestionMark() async throws {
        let stub = try await GitHubTokenStub()
        defer { stub.stop() }
        let token = try await source(stub.environment(url: "http://127.0.0.1:\(stub.port)/idtoken")).token(audience: "sts.amazonaws.com")
        #expect(token.audiences == ["sts.amazonaws.com"])
        #expect(stub.requests == ["/idtoken?audience=sts.amazonaws.com"])
    }

    @Test func wrongBearerIsNotRetriedAndNeverQuoted() async throws {
        let stub = try await GitHubTokenStub()
        defer { stub.stop() }
        let text = await errorText { try await source(stub.environment(bearer: "wrong-request-token-77")).token(audience: "sts.amazonaws.com") }
        #expect(stub.requests.count == 1)
        #expect(text.contains("HTTP 401"))
        #expect(text.contains("http://127.0.0.1:\(stub.port)/idtoken"))
        #expect(!text.contains("api-version"))
        #expect(!text.contains("wrong-request-token-77"))
        #expect(text.contains("<redacted>"))
    }

    @Test func wrongAudienceIsNotRetried() async throws {
        let stub = try await GitHubTokenStub(audience: "sts.amazonaws.com")
        defer { stub.stop() }
        let text = await errorText { try await source(stub.environment()).token(audience: "other-audience") }
        #expect(stub.requests.count == 1)
        #expect(text.contains("HTTP 400"))
        #expect(!text.contains(GitHubTokenStub.bearer))
    }

    @Test func transientFailuresAreRetried() async throws {
        let stub = try await GitHubTokenStub(plan: ["503", "429", "503"])
        defer { stub.stop() }
        let token = try await source(stub.environment()).token(audience: "sts.amazonaws.com")
        #expect(token.audiences == ["sts.amazonaws.com"])
        #expect(stub.requests.count == 4)
    }

    @Test func retriesStopAtMaxAttempts() async throws {
        let stub = try await GitHubTokenStub(plan: ["503", "503", "503", "503"])
        defer { stub.stop() }
        let text = await errorText { try await source(stub.environment(), attempts: 3).token(audience: "sts.amazonaws.com") }
        #expect(stub.requests.count == 3)
        #expect(text.contains("after 3 attempts"))
        #expect(text.contains("HTTP 503"))
        #expect(!text.contains(GitHubTokenStub.bearer))
    }

    @Test func aHungRequestTimesOutAndIsRetried() async throws {
        let stub = try await GitHubTokenStub(plan: ["hang"])
        defer { stub.stop() }
        let started = Date()
        let token = try await source(stub.environment(), attemptTimeout: 2).token(audience: "sts.amazonaws.com")
        #expect(token.audiences == ["sts.amazonaws.com"])
        #expect(stub.requests.count == 2)
        #expect(Date().timeIntervalSince(started) < 15) // the hung request would take 30s
    }

    @Test func overallDeadlineBoundsRetries() async throws {
        let stub = try await GitHubTokenStub(plan: Array(repeating: "hang", count: 10))
        defer { stub.stop() }
        let slow = GitHubActionsTokenSource(environment: stub.environment(),
                                            retry: RetryPolicy(maxAttempts: 10, baseDelay: 0.05, maxDelay: 0.1, deadline: 1.5),
                                            attemptTimeout: 0.6)
        let started = Date()
        let text = await errorText { try await slow.token(audience: "sts.amazonaws.com") }
        #expect(Date().timeIntervalSince(started) < 25)  // far below 10 hung attempts of 30 s
        #expect(text.contains("no answer within"))
        #expect(stub.requests.count < 10)
    }

    @Test func connectionRefusedIsRetriedThenReported() async throws {
        let stub = try await GitHubTokenStub()
        stub.stop()
        let text = await errorText { try await source(stub.environment(), attempts: 2).token(audience: "sts.amazonaws.com") }
        #expect(text.contains("after 2 attempts"))
        #expect(text.contains("http://127.0.0.1:\(stub.port)/idtoken"))
        #expect(!text.contains("api-version"))
    }

    @Test func answerWithoutValueIsAClearError() async throws {
        let stub = try await GitHubTokenStub(plan: ["novalue"])
        defer { stub.stop() }
        let text = await errorText { try await source(stub.environment()).token(audience: "sts.amazonaws.com") }
        #expect(stub.requests.count == 1)
        #expect(text.contains("no \"value\""))
    }

    @Test func valueThatIsNotAJWTIsNeverQuoted() async throws {
        let stub = try await GitHubTokenStub(plan: ["notjwt"])
        defer { stub.stop() }
        let text = await errorText { try await source(stub.environment()).token(audience: "sts.amazonaws.com") }
        #expect(text.contains("not a JWT"))
        #expect(!text.contains("secret-not-a-jwt"))
    }

    @Test func missingVariablesAskForIdTokenPermission() async throws {
        let text = await errorText { try await source(["GITHUB_ACTIONS": "true"]).token(audience: "sts.amazonaws.com") }
        #expect(text.contains(GitHubActionsTokenSource.urlVariable))
        #expect(text.contains("id-token: write"))
        let onlyURL = await errorText {
            try await source([GitHubActionsTokenSource.urlVariable: "http://127.0.0.1:1/x?a=b"]).token(audience: "a")
        }
        #expect(onlyURL.contains("\(GitHubActionsTokenSource.tokenVariable) is not set"))
    }
}
