"""The kernel that runs student code while validating and autograding.

It is an ordinary IPython kernel started with three guards, so that one
broken or hostile submission cannot take the grading machine down:

- memory: the address space is capped (COURSE_KERNEL_MEMORY_GB, default 12);
- CPU time: the kernel is stopped after COURSE_KERNEL_CPU_S seconds of CPU (default 900);
- network: connections to anything but this machine are refused (an audit
  hook on socket.connect and name lookups; nothing is downloaded at run time).

It also sets COURSE_GRADING_MODE=probe, so test cells only record
observations and the judge (graders/instructor/judge.py), outside this
kernel, decides the scores (graders/assignment.py explains the two modes).

Installed as the Jupyter kernel "course-grading" by `make env`; nbgrader
selects it through the pipeline's configuration (Execute.kernel_name).
"""

import ipaddress
import os
import resource
import sys

from graders.assignment import MODE_ENV_VAR, PROBE_MODE

GIB = 1 << 30
MEMORY_ENV_VAR = "COURSE_KERNEL_MEMORY_GB"
CPU_ENV_VAR = "COURSE_KERNEL_CPU_S"
DEFAULT_MEMORY_GB = 12  # TensorFlow reserves several GB of address space at import
DEFAULT_CPU_S = 900
KERNEL_NAME = "course-grading"
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "", None}


def _is_local(host):
    if host in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _network_guard(event, args):
    """Audit hook: refuse connections and lookups that leave the machine."""
    if event == "socket.connect":
        address = args[1]
        host = address[0] if isinstance(address, tuple) else None
        if isinstance(address, tuple) and not _is_local(host):
            raise PermissionError(f"network access is disabled while grading (tried to reach {host})")
    elif event == "socket.getaddrinfo" and not _is_local(args[0]):
        raise PermissionError(f"network access is disabled while grading (tried to look up {args[0]})")


def apply_limits():
    memory = int(float(os.environ.get(MEMORY_ENV_VAR, DEFAULT_MEMORY_GB)) * GIB)
    cpu = int(os.environ.get(CPU_ENV_VAR, DEFAULT_CPU_S))
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    sys.addaudithook(_network_guard)


def kernel_spec():
    """The kernel.json content for `jupyter kernelspec install`."""
    return {
        "argv": [sys.executable, "-m", "graders.instructor.sandbox_kernel", "-f", "{connection_file}"],
        "display_name": "Python 3 (course grading sandbox)",
        "language": "python",
        "env": {"TF_CPP_MIN_LOG_LEVEL": "2", MODE_ENV_VAR: PROBE_MODE},
    }


def main():
    apply_limits()
    from ipykernel.kernelapp import launch_new_instance

    launch_new_instance()


if __name__ == "__main__":
    main()
