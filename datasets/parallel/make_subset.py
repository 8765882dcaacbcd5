"""Cut the course's French-English subset from the Tatoeba pairs of manythings.org (fra-eng.txt, 2019-04-07).

Keeps the pairs whose English and French sides have at most MAX_WORDS words
each (words = runs between spaces, after U+00A0 and U+202F became spaces),
then draws N_ENGLISH distinct English sentences with a seeded generator and
writes every kept pair whose English is one of them, in the order of the
original file. Lines are copied unchanged (tab-separated English, French).

Usage:  python make_subset.py PATH/TO/fra-eng.txt fra-eng.short.txt
"""

import random
import sys

MAX_WORDS = 10
N_ENGLISH = 40_000
SEED = 2019
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " "})


def word_count(text):
    return len(text.translate(_SPACES).split())


def main(source, target):
    with open(source, encoding="utf-8") as f:
        lines = f.read().splitlines()
    kept = [line for line in lines
            if all(word_count(side) <= MAX_WORDS for side in line.split("\t")[:2])]
    english = sorted({line.split("\t")[0] for line in kept})
    chosen = set(random.Random(SEED).sample(english, N_ENGLISH))
    out = [line for line in kept if line.split("\t")[0] in chosen]
    with open(target, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(out) + "\n")
    print(f"{len(lines)} pairs, {len(kept)} with at most {MAX_WORDS} words a side, "
          f"{len(english)} distinct English sentences; wrote {len(out)} pairs of {N_ENGLISH} to {target}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
