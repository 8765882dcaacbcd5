"""Cut the SQuAD v1.1 files shipped with the course from the full ones: whole articles, chosen by a seeded shuffle.

    python datasets/qa/squad/make_subsets.py SOURCE_DIR

SOURCE_DIR holds dev-v1.1.json (the official dev file) and
train-v1.1.subset-44articles.json (44 articles of the official train file).
Articles are shuffled with a fixed seed and taken in that order until the
questions reach the target count; articles, paragraphs and questions keep
their text, ids and answers unchanged. The output keeps SQuAD's JSON layout,
so any SQuAD reader reads it. Rerunning it writes byte-identical files.
"""

import json
import random
import sys
from pathlib import Path

SEED = 15
# dev: the notebook scores a fixed slice of at least 1,000 questions; train: more than full mode can use
TARGETS = {"dev-v1.1.json": ("dev-v1.1.subset.json", 1_200),
           "train-v1.1.subset-44articles.json": ("train-v1.1.subset.json", 4_000)}


def questions_in(article):
    """Number of questions of one SQuAD article."""
    return sum(len(paragraph["qas"]) for paragraph in article["paragraphs"])


def subset(squad, target, seed=SEED):
    """Whole articles of `squad` in a seeded random order until at least `target` questions are taken."""
    order = list(range(len(squad["data"])))
    random.Random(seed).shuffle(order)
    chosen, count = [], 0
    for index in order:
        if count >= target:
            break
        chosen.append(squad["data"][index])
        count += questions_in(squad["data"][index])
    return {"version": squad["version"], "data": chosen}, count


def main(source_dir):
    here = Path(__file__).resolve().parent
    for source_name, (target_name, target) in TARGETS.items():
        squad = json.loads((Path(source_dir) / source_name).read_text(encoding="utf-8"))
        cut, count = subset(squad, target)
        (here / target_name).write_text(json.dumps(cut, ensure_ascii=False, separators=(",", ":")) + "\n",
                                        encoding="utf-8")
        print(f"{target_name}: {len(cut['data'])} articles, {count} questions")


if __name__ == "__main__":
    main(sys.argv[1])
