"""Records and verdicts do not depend on the CPU kernels OpenBLAS and oneDNN pick (docs/design.md, "Known traps").

Each setting runs graders.instructor.portability in a fresh process, because
the variables take effect only before numpy and TensorFlow start.
"""

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow

# the farthest from what a modern CPU picks by itself: OpenBLAS's oldest x86-64 kernels (SSE3) and
# oneDNN held to AVX2; `make test-portable` also runs OPENBLAS_CORETYPE=Haswell and the fast suite
SETTINGS = {"prescott_avx2": {"OPENBLAS_CORETYPE": "Prescott", "ONEDNN_MAX_CPU_ISA": "AVX2"}}
TIMEOUT_S = 900


@pytest.mark.parametrize("name", SETTINGS)
def test_records_and_verdicts_reproduce_under_other_cpu_kernels(name):
    env = {**os.environ, **SETTINGS[name], "TF_CPP_MIN_LOG_LEVEL": "2"}
    result = subprocess.run([sys.executable, "-m", "graders.instructor.portability"], env=env,
                            capture_output=True, text=True, timeout=TIMEOUT_S)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert result.stdout.count("records and verdicts reproduce") >= 1, result.stdout
