"""Drives an interactive psql through a pseudo-terminal, for the tab
completion test: psql completes only when readline talks to a terminal.

usage: drive.py PSQL INPUT...   (connection from PG* environment variables)

For each INPUT it types the text and two TABs, collects what psql echoes
back, then erases the line (Ctrl-U). It prints one line per input:
the echo with control sequences removed, as JSON strings.
"""
import json
import os
import pty
import re
import select
import sys
import time

psql, inputs = sys.argv[1], sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.environ['TERM'] = 'dumb'
    os.execv(psql, [psql, '-X'])


def pump(seconds, until=None):
    """Reads for up to seconds, or until `until` shows up."""
    got = b''
    end = time.time() + seconds
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            got += chunk
            if until is not None and until in got:
                end = min(end, time.time() + 0.3)  # let the rest arrive
    return got


def settle(first=2.0, idle=0.25):
    """Reads until the output has been quiet for idle seconds after some
    arrived (or first seconds pass with none)."""
    got = b''
    deadline = time.time() + first
    while True:
        r, _, _ = select.select([fd], [], [], idle if got else max(0, deadline - time.time()))
        if not r:
            return got
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return got
        if not chunk:
            return got
        got += chunk


def clean(b):
    s = b.decode('utf-8', 'replace')
    s = re.sub(r'\x1b\[[0-9;?]*[A-Za-z]', '', s)
    return s.replace('\x07', '').replace('\r', '')


pump(10, b'=# ')
out = []
for text in inputs:
    os.write(fd, text.encode())
    settle()
    os.write(fd, b'\t')
    got = settle()
    os.write(fd, b'\t')
    got += settle(first=0.5)  # a unique completion adds nothing more
    out.append(clean(got))
    os.write(fd, b'\x15')  # Ctrl-U: erase the line
    settle(first=0.5)
os.write(fd, b'\\q\n')
pump(2)
for o in out:
    print(json.dumps(o))
