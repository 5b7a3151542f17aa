# SPDX-License-Identifier: LGPL-2.1-or-later
"""Fixtures: a target process (target.py) and its memory read back
through /proc/PID/mem, a path that does not go through zxproc."""

import os
import random
import shutil
import subprocess
import sys
import tempfile
from typing import Dict

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))


class Target:
    def __init__(self, name: str) -> None:
        self.name = name
        self.seed = random.randrange(1 << 20)
        self.dir = tempfile.mkdtemp(prefix="zxpy-")
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "target.py"), name, str(self.seed),
             self.dir],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.pid = self.proc.pid
        self.addr: Dict[str, int] = {}
        for line in self.proc.stdout:
            if line.strip() == "ready":
                break
            key, value = line.split()
            self.addr[key] = int(value, 16)
        else:
            raise RuntimeError("the target did not start")

    def pattern(self) -> bytes:
        sys.path.insert(0, HERE)
        from target import pattern
        return bytes(pattern(self.seed, i) for i in range(16))

    def mem(self, address: int, size: int) -> bytes:
        """The target's memory, through /proc/PID/mem."""
        with open(f"/proc/{self.pid}/mem", "rb", buffering=0) as f:
            f.seek(address)
            return f.read(size)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.proc.stdin.close()
        self.proc.stdout.close()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def target():
    """One target for a module's tests (starting Python is slow in an
    emulated guest): each test uses its own bytes of it."""
    t = Target(f"zxpy{os.getpid() % 100000}")
    yield t
    t.stop()


@pytest.fixture
def doomed():
    """A target of its own, for a test that ends it."""
    t = Target(f"zxpd{os.getpid() % 100000}")
    yield t
    t.stop()


@pytest.fixture
def untouched():
    """A target of its own, for a test that needs its pages as the target
    left them (the module's target has had its sparse pages faulted in)."""
    t = Target(f"zxpu{os.getpid() % 100000}")
    yield t
    t.stop()
