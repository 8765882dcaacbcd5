"""README.md shows a failure message exactly as the graders print it."""

from pathlib import Path

from graders.instructor import readme_example

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_failure_example_comes_from_a_real_run():
    message = readme_example.example_message()
    assert message and message.startswith(readme_example.EXAMPLE[1] + " failed")
    assert "```\n" + message + "\n```" in README.read_text(), (
        "README's failure example is out of date; paste the output of "
        "`python -m graders.instructor.readme_example`:\n" + message)
