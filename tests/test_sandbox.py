"""The grading sandbox kernel: limits and the network guard."""

import subprocess
import sys

import pytest

from graders.instructor import sandbox_kernel


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost"])
def test_local_connections_are_allowed(host):
    sandbox_kernel._network_guard("socket.connect", (None, (host, 5555)))


@pytest.mark.parametrize("event, args", [
    ("socket.connect", (None, ("93.184.216.34", 443))),
    ("socket.getaddrinfo", ("pypi.org", 443, 0, 0, 0)),
])
def test_outside_connections_are_refused(event, args):
    with pytest.raises(PermissionError, match="network access is disabled while grading"):
        sandbox_kernel._network_guard(event, args)


def test_limits_apply_in_a_fresh_process():
    """A process with the sandbox's limits cannot reach the outside nor allocate past its cap."""
    code = (
        "import resource, socket\n"
        "from graders.instructor import sandbox_kernel\n"
        "sandbox_kernel.apply_limits()\n"
        "print(resource.getrlimit(resource.RLIMIT_AS)[0] // 2**30, resource.getrlimit(resource.RLIMIT_CPU)[0])\n"
        "try:\n"
        "    socket.create_connection(('93.184.216.34', 80), timeout=1)\n"
        "except PermissionError as err:\n"
        "    print('refused')\n"
        "try:\n"
        "    block = bytearray(3 * 2**30)\n"
        "except MemoryError:\n"
        "    print('capped')\n"
    )
    env = {"COURSE_KERNEL_MEMORY_GB": "2", "COURSE_KERNEL_CPU_S": "60", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    assert out.split() == ["2", "60", "refused", "capped"]


def test_kernel_spec_runs_this_module():
    spec = sandbox_kernel.kernel_spec()
    assert spec["argv"][:3] == [sys.executable, "-m", "graders.instructor.sandbox_kernel"]
    assert "{connection_file}" in spec["argv"]
