"""The failure message README.md shows students, generated from a real run (never typed by hand).

It judges a known-wrong variant on the public suite, exactly as a student's
test cell would. tests/test_readme.py asserts README.md shows this text;
`python -m graders.instructor.readme_example` prints it after a change.
"""

from graders.instructor import solutions

EXAMPLE = ("01_rnn_step_by_step", "lstm_cell_forward", "no_forget_term")


def example_message(assignment=EXAMPLE[0], func_name=EXAMPLE[1], variant=EXAMPLE[2]):
    grader = solutions.grader_module(assignment).GRADER
    mutant = solutions.declaration(assignment).MUTANTS[func_name][variant]
    wrong = solutions.load_solutions(assignment, (func_name, mutant))[func_name]
    observations = grader.observe_all(func_name, wrong, "public")
    return grader.judge(func_name, "public", observations, grader.public_record())


if __name__ == "__main__":
    print(example_message())
