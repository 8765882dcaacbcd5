"""Jupyter server extension of the student-mode JupyterLab: Validate with a summary first.

It replaces nbgrader's validate_assignment server extension (which graders.student.lab
disables) at the same address, so nbgrader's own Validate button reads it:

- POST /assignments/validate runs graders.student.validation in a separate
  process (quick mode; the server stays responsive while it runs) and answers
  with the summary first and one short message per failing cell;
- GET /nbgrader_version answers as nbgrader's does.

It also logs which nbgrader exchange the Assignment List uses, if any
(graders.student.lab decides which pages a lab shows).
"""

import asyncio
import json
import os
import sys
import time
from pathlib import Path

from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from tornado import web

from graders.student import validation

MAX_ERROR_CHARS = 2000  # what the dialog shows of a crashed validation (the server log has all of it)


def exchange_root():
    """The configured nbgrader exchange folder, or None when this environment has none."""
    config = validation._load_config()
    if "Exchange" in config and "root" in config.Exchange and config.Exchange.root:
        return config.Exchange.root
    return None


class ValidateHandler(JupyterHandler):
    @web.authenticated
    async def post(self):
        try:
            relative = self.get_argument("path")
        except web.MissingArgumentError:
            relative = (self.get_json_body() or {}).get("path", "")
        root = Path(self.settings["server_root_dir"]).expanduser().resolve()
        target = (root / relative).resolve()
        if not target.is_relative_to(root):
            raise web.HTTPError(403, "Access denied: path outside the notebook folder")
        started = time.monotonic()
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "graders.student.validation", "--json", str(target),
            cwd=str(target.parent), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        stdout, stderr = await process.communicate()
        elapsed = time.monotonic() - started
        try:
            answer = json.loads(stdout.decode().strip().splitlines()[-1])
        except (IndexError, ValueError):
            self.log.error("validation of %s failed:\n%s", target, stderr.decode(errors="replace"))
            reply = {"success": False, "value": stderr.decode(errors="replace")[-MAX_ERROR_CHARS:]}
        else:
            self.log.info("validated %s in %.1f s: %s", relative, elapsed, answer["summary"])
            reply = {"success": True, "value": answer["dialog"]}
        self.finish(json.dumps(reply))


class VersionHandler(JupyterHandler):
    @web.authenticated
    def get(self):
        from nbgrader import __version__

        wanted = self.get_argument("version")
        if wanted == __version__:
            self.finish(json.dumps({"success": True}))
        else:
            self.finish(json.dumps({"success": False, "message": f"nbgrader's lab extension is {wanted} but the "
                                                                 f"server has {__version__}: rebuild the environment"}))


def _jupyter_server_extension_points():
    return [{"module": "graders.student.server"}]


def _load_jupyter_server_extension(serverapp):
    web_app = serverapp.web_app
    base = web_app.settings["base_url"]
    web_app.add_handlers(".*$", [
        (url_path_join(base, "assignments/validate"), ValidateHandler),
        (url_path_join(base, "nbgrader_version"), VersionHandler),
    ])
    root = exchange_root()
    if root is None:
        serverapp.log.info("student mode: no nbgrader exchange (self-study)")
    elif not os.path.isdir(root):
        serverapp.log.warning("student mode: the nbgrader exchange %s does not exist yet (the instructor's "
                              "release creates it)", root)
    else:
        serverapp.log.info("student mode: nbgrader exchange at %s", root)
