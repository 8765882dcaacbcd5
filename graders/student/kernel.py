"""The notebook kernel of the student's JupyterLab: an IPython kernel with TensorFlow's start-up noise filtered.

The kernel runs with ``--IPKernelApp.capture_fd_output=False`` (so C++ log
lines never reach cell outputs, see docs/design.md, "Known traps"), which sends them to the
terminal that started JupyterLab instead. ``TF_CPP_MIN_LOG_LEVEL=2`` silences
most of them, but TensorFlow's CUDA probing logs a few lines before its
logging is set up, where that variable has no effect ("All log messages
before absl::InitializeLog() ...", "Could not find cuda drivers ...",
"failed call to cuInit ...") -- on every kernel that imports TensorFlow, on
every machine without a GPU.

This module replaces the kernel's file descriptor 2 with a pipe and forwards
every line to the real stderr except those: informational and warning lines
in absl's format, and the error lines of TensorFlow's CUDA probing. Anything
else, a crash report included, still reaches the terminal.

Usage (the kernel.json written by graders.student.lab):
    python -m graders.student.kernel -f {connection_file}
"""

import os
import re
import sys
import threading

# absl's line format: severity letter, MMDD, time (hh:mm:ss.us, or 00:00:<epoch>.us before logging is set up),
# thread id, file:line]
ABSL_LINE = re.compile(rb"^(?P<severity>[IWEF])\d{4} [\d:.]+\s+\d+ (?P<file>[\w.]+):\d+\] ")
# files whose error lines only say that no GPU was found or could be registered
CUDA_PROBING_FILES = (b"cuda_platform.cc", b"cuda_dnn.cc", b"cuda_fft.cc", b"cuda_blas.cc", b"cuda_executor.cc",
                      b"cudart_stub.cc", b"cuda_diagnostics.cc")
PRE_INIT_NOTICE = b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR"
CPU_FEATURE_CONTINUATION = b"To enable the following instructions:"
READ_CHUNK = 65536


def is_noise(line):
    """True for a TensorFlow start-up log line that tells a CPU-only student nothing (bytes, no newline)."""
    line = line.rstrip(b"\r")
    if line.startswith(PRE_INIT_NOTICE) or line.startswith(CPU_FEATURE_CONTINUATION):
        return True
    match = ABSL_LINE.match(line)
    if match is None:
        return False
    if match["severity"] in (b"I", b"W"):
        return True
    return match["severity"] == b"E" and match["file"] in CUDA_PROBING_FILES


def _forward(read_fd, write_fd):
    pending = b""
    while True:
        try:
            chunk = os.read(read_fd, READ_CHUNK)
        except OSError:
            chunk = b""
        if not chunk:
            break
        pending += chunk
        *lines, pending = pending.split(b"\n")
        kept = b"".join(line + b"\n" for line in lines if not is_noise(line))
        if kept:
            try:
                os.write(write_fd, kept)
            except OSError:
                pass  # the terminal went away; keep draining so the kernel never blocks on a full pipe
    if pending and not is_noise(pending):
        os.write(write_fd, pending)


def filter_stderr():
    """Route file descriptor 2 through the noise filter for the rest of this process (and its children)."""
    real_stderr = os.dup(2)
    read_fd, write_fd = os.pipe()
    os.dup2(write_fd, 2)
    os.close(write_fd)
    threading.Thread(target=_forward, args=(read_fd, real_stderr), name="stderr-filter", daemon=True).start()


def main():
    filter_stderr()
    from ipykernel.kernelapp import launch_new_instance

    launch_new_instance()


if __name__ == "__main__":
    sys.exit(main())
