#!/usr/bin/env python3
"""Times the dashboard in a pseudo-terminal (used by scripts/bench).

  bench_dashboard.py LIVETALLY FILE [--cols 120 --rows 40] [--timeout 300]

Runs `LIVETALLY --quiet -` with FILE on stdin and a 120x40 pty as its
terminal, under /usr/bin/time for the peak RSS. A small screen model (cursor
moves and printed text; colours ignored) follows what the dashboard draws.
Prints one JSON line:
  first_frame_s  spawn until the header (" livetally ") is on the screen;
  feed_ended_s   spawn until the header says "feed ended" (the dashboard
                 redraws at most --fps=10 times a second, so this can lag
                 the real end of ingest by up to ~0.1 s);
  exit_s, rss_kb after `q` is sent; the screen's header line.
With --keys N, also key-to-screen latency while the feed is being ingested:
up to N times (0.2 s apart), `?` is sent and the time until the help overlay
is on the screen is recorded, then `?` again until it is gone:
  key_ms         every such latency, in ms (each includes reading and
                 parsing the pty output here, ~1 ms).
"""

import argparse
import json
import os
import pty
import re
import select
import signal
import struct
import sys
import tempfile
import time
import unicodedata

CSI = re.compile(rb"\x1b\[([0-9;?<>=]*)([ -/]*)([@-~])")


class Screen:
    def __init__(self, cols, rows):
        self.cols, self.rows = cols, rows
        self.clear()
        self.pending = b""

    def clear(self):
        self.grid = [[" "] * self.cols for _ in range(self.rows)]
        self.x = self.y = 0

    def put(self, ch):
        w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if unicodedata.combining(ch):
            return
        if 0 <= self.y < self.rows and 0 <= self.x < self.cols:
            self.grid[self.y][self.x] = ch
        self.x += w

    def feed(self, data):
        data = self.pending + data
        self.pending = b""
        i = 0
        text = bytearray()

        def flush():
            for ch in text.decode("utf-8", "replace"):
                if ch == "\r":
                    self.x = 0
                elif ch == "\n":
                    self.y += 1
                elif ch >= " ":
                    self.put(ch)
            text.clear()

        while i < len(data):
            b = data[i]
            if b == 0x1B:
                flush()
                m = CSI.match(data, i)
                if m:
                    self.csi(m.group(1), m.group(3))
                    i = m.end()
                    continue
                if i + 1 >= len(data) or (data[i + 1] == ord("[") and not m):
                    # an escape sequence cut by the read: keep it for later
                    if len(data) - i < 64:
                        self.pending = data[i:]
                        return
                i += 2  # ESC x (charset, keypad...): skip
                continue
            text.append(b)
            i += 1
        # keep a partial UTF-8 character for the next read
        cut = 0
        while cut < min(4, len(text)) and (text[len(text) - 1 - cut] & 0xC0) == 0x80:
            cut += 1
        if cut < len(text) and text[len(text) - 1 - cut] >= 0xC0:
            self.pending = bytes(text[len(text) - 1 - cut:])
            del text[len(text) - 1 - cut:]
        flush()

    def csi(self, params, final):
        p = [int(x) if x.isdigit() else 0 for x in params.decode().lstrip("?").split(";")]
        if final == b"H" or final == b"f":
            self.y = max(p[0], 1) - 1 if p else 0
            self.x = max(p[1], 1) - 1 if len(p) > 1 else 0
        elif final == b"J" and p and p[0] in (2, 3):
            self.clear()
        elif final == b"K":
            for x in range(self.x, self.cols):
                if 0 <= self.y < self.rows:
                    self.grid[self.y][x] = " "
        elif final == b"C":
            self.x += max(p[0], 1) if p else 1
        elif final == b"G":
            self.x = max(p[0], 1) - 1 if p else 0

    def text(self):
        return "\n".join("".join(r) for r in self.grid)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("livetally")
    ap.add_argument("file")
    ap.add_argument("--cols", type=int, default=120)
    ap.add_argument("--rows", type=int, default=40)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--keys", type=int, default=0)
    a = ap.parse_args()
    tfile = tempfile.NamedTemporaryFile(prefix="lt-dash-time", delete=False).name
    t0 = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        try:
            import fcntl
            import termios

            fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", a.rows, a.cols, 0, 0))
            src = os.open(a.file, os.O_RDONLY)
            os.dup2(src, 0)
            os.environ["TERM"] = "xterm-256color"
            os.environ.pop("NO_COLOR", None)
            os.execv("/usr/bin/time", ["/usr/bin/time", "-f", "%e %M", "-o", tfile,
                                       a.livetally, "--quiet", "-"])
        finally:
            os._exit(127)
    scr = Screen(a.cols, a.rows)
    first = ended = None
    deadline = t0 + a.timeout
    quit_sent = None
    status = None
    HELP = "any key closes this help"
    probe, probe_t, next_probe, key_ms = None, 0.0, 0.0, []
    while True:
        now = time.perf_counter()
        if now > deadline:
            os.kill(pid, signal.SIGTERM)
            break
        r, _, _ = select.select([fd], [], [], 0.02)
        if r:
            try:
                data = os.read(fd, 1 << 16)
            except OSError:
                data = b""
            if not data:
                break
            scr.feed(data)
            t = time.perf_counter() - t0
            header = scr.text().split("\n", 1)[0]
            if first is None and " livetally " in header:
                first = t
            if probe is not None:
                shown = HELP in scr.text()
                if (probe == "open") == shown:
                    now = time.perf_counter()
                    key_ms.append(round((now - probe_t) * 1000, 1))
                    if probe == "open":
                        os.write(fd, b"?")
                        probe, probe_t = "close", now
                    else:
                        probe, next_probe = None, now + 0.2
            if ended is None and "feed ended" in header:
                ended = t
            if ended is not None and probe is None and quit_sent is None:
                os.write(fd, b"q")
                quit_sent = time.perf_counter()
        if (first is not None and ended is None and probe is None
                and len(key_ms) < 2 * a.keys and time.perf_counter() >= next_probe):
            os.write(fd, b"?")
            probe, probe_t = "open", time.perf_counter()
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = st
            # drain what is left
            try:
                while select.select([fd], [], [], 0.05)[0]:
                    if not os.read(fd, 1 << 16):
                        break
            except OSError:
                pass
            break
        if quit_sent and time.perf_counter() - quit_sent > 10:
            os.kill(pid, signal.SIGTERM)
    if status is None:
        _, status = os.waitpid(pid, 0)
    exit_s = time.perf_counter() - t0
    rss = None
    try:
        with open(tfile) as f:
            last = f.read().strip().splitlines()[-1].split()
            rss = int(last[1])
    except (OSError, IndexError, ValueError):
        pass
    os.unlink(tfile)
    header = scr.text().split("\n", 1)[0].rstrip()
    print(json.dumps({
        "first_frame_s": round(first, 4) if first is not None else None,
        "feed_ended_s": round(ended, 4) if ended is not None else None,
        "exit_s": round(exit_s, 4),
        "rss_kb": rss,
        "exit_status": os.waitstatus_to_exitcode(status),
        "header": header,
        "key_ms": key_ms,
    }))
    sys.exit(0 if ended is not None else 1)


if __name__ == "__main__":
    main()
