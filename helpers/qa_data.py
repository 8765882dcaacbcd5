"""Extractive question-answering data for notebook 15: bAbI task 1 and SQuAD v1.1, as one kind of example.

Every example is a `QAExample`: a question, the context that holds its answer,
and the gold answers as character spans of that context (SQuAD's convention:
`context[start:start + len(text)] == text`). SQuAD's dev questions carry
several gold answers (different annotators); training questions carry one.
Files are read through `helpers.data.dataset_path`, so each one is
checksum-verified.

bAbI stories become contexts: the statements of a story up to a question,
joined by single spaces (the question lines themselves are left out). The
answer of bAbI task 1 is a location word; its span is the last occurrence of
that word in the supporting statement the file names.

Sources: Weston et al. (2015), "Towards AI-Complete Question Answering: A Set
of Prerequisite Toy Tasks" (bAbI, CC BY 3.0); Rajpurkar et al. (2016),
"SQuAD: 100,000+ Questions for Machine Comprehension of Text" (CC BY-SA 4.0).
See datasets/PROVENANCE.md.
"""

import json
from dataclasses import dataclass

from helpers import data

BABI_TASK1 = {split: f"qa/babi/qa1_single-supporting-fact_{split}.txt" for split in ("train", "test")}
SQUAD = {split: f"qa/squad/{split}-v1.1.subset.json" for split in ("train", "dev")}


class QAFormatError(ValueError):
    """A line or an answer of a QA file does not follow its format."""


@dataclass(frozen=True)
class QAExample:
    """One question about one context, with its gold answers as character spans.

    id : str                     unique within its file
    question, context : str
    answer_texts : tuple of str  gold answers (one for training data, one or more for SQuAD dev)
    answer_starts : tuple of int character offset of each gold answer in `context`
    """

    id: str
    question: str
    context: str
    answer_texts: tuple
    answer_starts: tuple


def parse_babi(text, source="<text>"):
    """QAExamples of a bAbI file's text (`id text` lines, question lines `id question TAB answer TAB fact ids`).

    Example ids are "<source>:<line number of the question>".

    Raises
    ------
    QAFormatError  naming the source and line of a line without an id, a question without three fields, a
                   supporting id that names no statement of the story, or an answer missing from that statement.
    """
    examples, statements = [], {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        head, _, rest = line.partition(" ")
        if not head.isdigit():
            raise QAFormatError(f"{source}, line {number}: expected 'id text', got {line[:60]!r}")
        if head == "1":
            statements = {}
        if "\t" not in rest:
            statements[int(head)] = rest.strip()
            continue
        fields = rest.split("\t")
        if len(fields) != 3:
            raise QAFormatError(f"{source}, line {number}: a question line needs 'question TAB answer TAB ids'")
        question, answer, support = (field.strip() for field in fields)
        ids = sorted(statements)
        context_parts, offsets = [], {}
        position = 0
        for statement_id in ids:
            offsets[statement_id] = position
            context_parts.append(statements[statement_id])
            position += len(statements[statement_id]) + 1  # the joining space
        fact = int(support.split()[0])
        if fact not in statements or answer not in statements[fact]:
            raise QAFormatError(f"{source}, line {number}: answer {answer!r} is not in supporting statement {fact}")
        start = offsets[fact] + statements[fact].rindex(answer)
        examples.append(QAExample(f"{source}:{number}", question, " ".join(context_parts), (answer,), (start,)))
    return examples


def load_babi(split):
    """bAbI task 1 ("single supporting fact", en-10k) as QAExamples; split is "train" (10,000) or "test" (1,000)."""
    if split not in BABI_TASK1:
        raise ValueError(f"split must be one of {sorted(BABI_TASK1)}, got {split!r}")
    path = data.dataset_path(BABI_TASK1[split])
    return parse_babi(path.read_text(encoding="utf-8"), source=f"babi-{split}")


def parse_squad(squad):
    """QAExamples of a parsed SQuAD v1.1 JSON object, in file order.

    Raises
    ------
    QAFormatError  naming the question id of an answer whose text is not found at its answer_start.
    """
    examples = []
    for article in squad["data"]:
        for paragraph in article["paragraphs"]:
            context = paragraph["context"]
            for qa in paragraph["qas"]:
                texts = tuple(answer["text"] for answer in qa["answers"])
                starts = tuple(int(answer["answer_start"]) for answer in qa["answers"])
                for text, start in zip(texts, starts):
                    if context[start:start + len(text)] != text:
                        raise QAFormatError(f"question {qa['id']}: answer {text!r} is not at character {start}")
                examples.append(QAExample(qa["id"], qa["question"], context, texts, starts))
    return examples


def load_squad(split):
    """The course's SQuAD v1.1 subset as QAExamples; split is "train" (4,198 questions) or "dev" (1,454)."""
    if split not in SQUAD:
        raise ValueError(f"split must be one of {sorted(SQUAD)}, got {split!r}")
    path = data.dataset_path(SQUAD[split])
    return parse_squad(json.loads(path.read_text(encoding="utf-8")))
