"""The student's side of the course: the workspace, the student-mode JupyterLab and Validate.

- workspace: copies released notebooks into the student's own folder; nothing a
  student saved is ever overwritten (a newer release is placed beside a changed
  notebook, with a line saying so);
- lab: writes this environment's student-mode Jupyter configuration (one
  kernel, Validate, the Assignment List only when an nbgrader exchange is
  configured, no instructor pages, no news popup) and starts JupyterLab on the
  workspace;
- validation: nbgrader's Validate with a summary first ("3 of 8 graded cells
  pass") and one short message per failing cell, served to JupyterLab by
  server (a Jupyter server extension);
- kernel: the notebook kernel, which keeps TensorFlow's start-up log lines
  out of the terminal.

These modules ship in the course kit and import nothing from graders.instructor.
"""
