"""The refusals of a cluster as one line, without a cluster: a server on
127.0.0.1 answers as a cluster would when it refuses the credentials, runs
a version too old, or has shards that do not answer."""

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from searchkit.analysis.french import fingerprint, stemmer_version
from tests.helpers import ROOT, one_line, run

VERSION = {"version": {"distribution": "opensearch", "number": "2.19.6"}}
MAPPING = {"news-1": {"mappings": {"_meta": {"analyzer": fingerprint(), "stemmer": stemmer_version()}}}}
RED = {"_shards": {"total": 2, "successful": 1, "failed": 1,
                   "failures": [{"reason": {"type": "no_shard_available_action_exception"}}]},
       "hits": {"total": {"value": 0}, "hits": []}, "aggregations": {}}


def _serving(answers):
    """A server answering (method, path start) -> (status, body), 404 otherwise."""

    class Handler(BaseHTTPRequestHandler):
        def _answer(self):
            length = int(self.headers.get("content-length") or 0)
            self.rfile.read(length)
            path = self.path.split("?")[0]
            status, body = next((found for (method, start), found in answers.items()
                                 if method == self.command and path.startswith(start)), (404, {}))
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_HEAD = _answer

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.mark.parametrize("answers, said", [
    ({("GET", "/"): (401, {"error": "Unauthorized"})}, "refused the credentials"),
    ({("GET", "/"): (200, {"version": {"distribution": "opensearch", "number": "1.3.2"}})},
     "runs opensearch 1.3.2: searchkit needs OpenSearch 2.0 or later"),
    ({("GET", "/"): (200, {"version": {"number": "7.10.2"}})}, "runs elasticsearch 7.10.2"),
    ({("GET", "/news/_mapping"): (200, {"news-1": {"mappings": {"_meta": {"analyzer": "fr-1"}}}}),
      ("HEAD", "/news"): (200, {}), ("GET", "/"): (200, VERSION)},
     "was built by an incompatible version of searchkit (analyzer 'fr-1'"),
    ({("GET", "/news/_mapping"): (200, MAPPING), ("HEAD", "/news"): (200, {}), ("POST", "/news/_search"): (200, RED),
      ("GET", "/"): (200, VERSION)}, "1 of 2 shards of 'news' did not answer (no_shard_available_action_exception)"),
])
def test_a_refusal_of_the_cluster_is_one_line(answers, said):
    server = _serving(answers)
    try:
        line = one_line(run("query", "Mossoul", "--index", f"opensearch+http://127.0.0.1:{server.server_port}/news"))
    finally:
        server.shutdown()
    assert said in line


def test_without_the_client_a_cluster_address_says_what_to_install():
    script = ("import sys; sys.modules['opensearchpy'] = None\n"
              "from searchkit.cli.commands import main\n"
              "main(['query', 'Mossoul', '--index', 'opensearch+http://127.0.0.1:9/news'])")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip() == ("searchkit: error: an index in an OpenSearch cluster needs opensearch-py: "
                                   "pip install '.[opensearch]' in searchkit's folder")
