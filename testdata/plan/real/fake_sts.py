#!/usr/bin/env python3
"""A local stand-in for AWS STS GetCallerIdentity, so that `data "aws_caller_identity"` is read
while planning offline. It answers every request with account 111122223333; nothing else of
AWS is faked (everything else a plan needs is computed by the provider locally)."""
import http.server
import sys

BODY = b"""<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
<GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/ci</Arn><UserId>AIDAEXAMPLEEXAMPLE</UserId>
<Account>111122223333</Account></GetCallerIdentityResult>
<ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>"""


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    do_GET = do_POST

    def log_message(self, *args):
        pass


http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
