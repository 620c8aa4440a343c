"""A fault-injecting STS stub (test code): answers AssumeRoleWithWebIdentity from a script of
responses, records every request, and can hang to prove timeouts."""
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SUCCESS = """<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>repo:acme/app</SubjectFromWebIdentityToken>
    <Audience>sts.amazonaws.com</Audience>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/deploy/session</Arn>
      <AssumedRoleId>AROAEXAMPLE:session</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <SessionToken>STUBSESSIONTOKEN{n}</SessionToken>
      <SecretAccessKey>STUBSECRETKEY{n}</SecretAccessKey>
      <Expiration>2099-01-01T00:00:00Z</Expiration>
      <AccessKeyId>ASIASTUB{n}</AccessKeyId>
    </Credentials>
    <Provider>issuer.example.com</Provider>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>req-{n}</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>"""

ERROR = """<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>
  <RequestId>req-err</RequestId>
</ErrorResponse>"""


def error(status, code, message):
    return ("error", status, code, message)


OK = ("ok",)
SLOW = ("slow",)  # answers OK after a second, so the client process can be observed meanwhile
HANG = ("hang",)
MALFORMED = ("malformed",)


class STSStub:
    def __init__(self, script):
        self.script = list(script)
        self.requests = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                stub.requests.append({"headers": dict(self.headers), "form": urllib.parse.parse_qs(body)})
                n = len(stub.requests)
                step = stub.script.pop(0) if stub.script else OK
                if step[0] == "hang":
                    time.sleep(30)
                    return
                if step[0] == "slow":
                    time.sleep(1.0)
                    step = OK
                if step[0] == "ok":
                    status, text = 200, SUCCESS.format(n=n)
                elif step[0] == "malformed":
                    status, text = 200, "<AssumeRoleWithWebIdentityResponse><oops"
                else:
                    _, status, code, message = step
                    text = ERROR.format(code=code, message=message)
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
