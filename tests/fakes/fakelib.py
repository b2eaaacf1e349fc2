"""What every fake shares (stdlib only): its JSON state file, read and replaced atomically, and the
JSON answers of the HTTP fakes."""
import json
import os
import tempfile
from http.server import BaseHTTPRequestHandler


def load_json(path, default=None):
    """The JSON in `path`, or `default` when the file does not exist."""
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return default


def save_json(path, data):
    """Replaces `path` with `data` atomically (a reader never sees half a file)."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)))
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, indent=1)
    os.replace(tmp, path)


class JsonHandler(BaseHTTPRequestHandler):
    """A quiet request handler that answers JSON."""

    def log_message(self, *args):
        pass

    def send_json(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
