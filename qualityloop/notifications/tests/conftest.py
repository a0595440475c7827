"""A real HTTP server on 127.0.0.1 for the notification tests (http.server in a thread) that
answers from a script and keeps what it got. The SMTP server is the shared ``smtp`` fixture."""

import array
import json
import struct
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

# ---------------------------------------------------------------- HTTP


@dataclass
class Received:
    path: str
    raw_query: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers each POST with the next scripted (status, body); the last one repeats."""

    script: list[tuple[int, object]]
    requests: list[Received] = field(default_factory=list)
    url: str = ""

    def answer(self) -> tuple[int, bytes]:
        index = min(len(self.requests) - 1, len(self.script) - 1)
        status, body = self.script[index]
        return status, body if isinstance(body, bytes) else json.dumps(body).encode()


def _handler(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            parts = urlsplit(self.path)
            receiver.requests.append(
                Received(
                    path=parts.path,
                    raw_query=parts.query,
                    query={k: v[0] for k, v in parse_qs(parts.query).items()},
                    headers=dict(self.headers.items()),
                    body=self.rfile.read(length),
                )
            )
            status, body = receiver.answer()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def http_receiver():
    """``http_receiver([(500, {...}), (200, {...})], path="/hook?key=k")`` starts a server."""
    servers = []

    def start(script, path="/hook") -> Receiver:
        receiver = Receiver(script=list(script))
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        thread.start()
        servers.append((server, thread))
        receiver.url = f"http://127.0.0.1:{server.server_address[1]}{path}"
        return receiver

    yield start
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# ---------------------------------------------------------------- translations


def write_mo(path, translations: dict[str, str]) -> None:
    """A GNU .mo catalog, as msgfmt writes it, so a test needs no gettext tools."""
    entries = {
        "": "Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=1; plural=0;\n",
        **translations,
    }
    keys = sorted(entries)
    ids = strs = b""
    offsets = []
    for key in keys:
        k, v = key.encode(), entries[key].encode()
        offsets.append((len(ids), len(k), len(strs), len(v)))
        ids += k + b"\0"
        strs += v + b"\0"
    key_start = 7 * 4 + 16 * len(keys)
    value_start = key_start + len(ids)
    key_offsets, value_offsets = [], []
    for id_offset, id_length, str_offset, str_length in offsets:
        key_offsets += [id_length, id_offset + key_start]
        value_offsets += [str_length, str_offset + value_start]
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + len(keys) * 8, 0, 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(header + array.array("i", key_offsets + value_offsets).tobytes() + ids + strs)


# The lead translates the catalogue at the end; these tests bring their own Chinese so that
# they show the language switch whatever the shared catalogue holds.
CHINESE = {
    "Deadline missed: %(clock)s": "截止时间已过：%(clock)s",
    "It was due at %(due)s.": "截止时间为 %(due)s。",
    "Open the complaint": "打开投诉",
    "Task assigned to you: %(task)s": "指派给您的任务：%(task)s",
    "Due at %(due)s.": "截止 %(due)s。",
}


@pytest.fixture
def chinese(settings, tmp_path):
    write_mo(tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo", CHINESE)
    settings.LOCALE_PATHS = [tmp_path / "locale", *settings.LOCALE_PATHS]
    return CHINESE


@pytest.fixture(autouse=True)
def _relative_links(settings):
    """Links read as paths here unless a test sets the site's address itself."""
    settings.QUALITYLOOP = {**settings.QUALITYLOOP, "BASE_URL": ""}
