"""Builds analogies.csv, the course's word-analogy test set, from the word pairs below.

Every pair is a fact of geography, money or English grammar, written for this
project. An analogy ``a : b :: c : d`` ("a is to b as c is to d") joins two
pairs of the same category; the question is to find d from a, b and c.
Each category pairs pair i with pair i+1 and with pair i+5 (indices modulo the
number of pairs), so every pair appears four times, twice as the question
(a, b) and twice as the answer (c, d), and no analogy is the reverse of another.

Run from the repository root after editing a pair, then update SHA256SUMS:

    python datasets/analogies/build_analogies.py
    cd datasets && sha256sum analogies/analogies.csv   # replace its line in SHA256SUMS

Used by 05 word_vectors and 06 word2vec through helpers.embeddings.load_analogies.
"""

import csv
from pathlib import Path

OUTPUT = Path(__file__).with_name("analogies.csv")
PARTNER_OFFSETS = (1, 5)  # pair i meets pairs i+1 and i+5; two offsets give 2 analogies per pair

# (capital city, country); capitals as of 2024
CAPITAL_COUNTRY = [
    ("athens", "greece"), ("baghdad", "iraq"), ("bangkok", "thailand"), ("beijing", "china"),
    ("berlin", "germany"), ("cairo", "egypt"), ("canberra", "australia"), ("hanoi", "vietnam"),
    ("havana", "cuba"), ("helsinki", "finland"), ("kabul", "afghanistan"), ("madrid", "spain"),
    ("moscow", "russia"), ("oslo", "norway"), ("ottawa", "canada"), ("paris", "france"),
    ("rome", "italy"), ("stockholm", "sweden"), ("tehran", "iran"), ("tokyo", "japan"),
    ("lisbon", "portugal"), ("dublin", "ireland"), ("warsaw", "poland"), ("vienna", "austria"),
    ("nairobi", "kenya"), ("lima", "peru"), ("ankara", "turkey"), ("budapest", "hungary"),
    ("copenhagen", "denmark"), ("manila", "philippines"),
]

# (country, its currency); one country per currency so that no answer repeats an input word
COUNTRY_CURRENCY = [
    ("japan", "yen"), ("china", "yuan"), ("india", "rupee"), ("russia", "ruble"),
    ("britain", "pound"), ("mexico", "peso"), ("thailand", "baht"), ("poland", "zloty"),
    ("hungary", "forint"), ("sweden", "krona"), ("denmark", "krone"), ("israel", "shekel"),
    ("iran", "rial"), ("nigeria", "naira"), ("ukraine", "hryvnia"), ("germany", "euro"),
    ("switzerland", "franc"), ("turkey", "lira"), ("malaysia", "ringgit"), ("indonesia", "rupiah"),
    ("usa", "dollar"), ("vietnam", "dong"), ("bangladesh", "taka"), ("kenya", "shilling"),
    ("ghana", "cedi"), ("bulgaria", "lev"), ("romania", "leu"), ("kazakhstan", "tenge"),
]

# (singular noun, plural), regular and irregular
SINGULAR_PLURAL = [
    ("cat", "cats"), ("dog", "dogs"), ("car", "cars"), ("house", "houses"), ("city", "cities"),
    ("child", "children"), ("mouse", "mice"), ("foot", "feet"), ("tooth", "teeth"),
    ("knife", "knives"), ("leaf", "leaves"), ("box", "boxes"), ("bird", "birds"),
    ("tree", "trees"), ("apple", "apples"), ("book", "books"), ("computer", "computers"),
    ("country", "countries"), ("family", "families"), ("horse", "horses"), ("window", "windows"),
    ("hand", "hands"), ("church", "churches"), ("river", "rivers"), ("student", "students"),
    ("teacher", "teachers"), ("baby", "babies"), ("idea", "ideas"), ("lion", "lions"),
    ("cloud", "clouds"),
]

# (comparative adjective, superlative), regular and irregular
COMPARATIVE_SUPERLATIVE = [
    ("bigger", "biggest"), ("smaller", "smallest"), ("larger", "largest"), ("faster", "fastest"),
    ("slower", "slowest"), ("higher", "highest"), ("lower", "lowest"), ("stronger", "strongest"),
    ("weaker", "weakest"), ("older", "oldest"), ("younger", "youngest"), ("taller", "tallest"),
    ("longer", "longest"), ("warmer", "warmest"), ("colder", "coldest"), ("hotter", "hottest"),
    ("richer", "richest"), ("poorer", "poorest"), ("easier", "easiest"), ("harder", "hardest"),
    ("greater", "greatest"), ("cheaper", "cheapest"), ("darker", "darkest"), ("wider", "widest"),
    ("deeper", "deepest"), ("better", "best"), ("worse", "worst"), ("safer", "safest"),
    ("heavier", "heaviest"), ("happier", "happiest"),
]

# (male word, female counterpart)
MALE_FEMALE = [
    ("king", "queen"), ("man", "woman"), ("boy", "girl"), ("brother", "sister"),
    ("father", "mother"), ("son", "daughter"), ("husband", "wife"), ("uncle", "aunt"),
    ("nephew", "niece"), ("prince", "princess"), ("actor", "actress"), ("he", "she"),
    ("his", "her"), ("grandfather", "grandmother"), ("grandson", "granddaughter"),
    ("emperor", "empress"), ("waiter", "waitress"), ("monk", "nun"), ("groom", "bride"),
    ("boyfriend", "girlfriend"), ("stepfather", "stepmother"), ("lord", "lady"),
    ("duke", "duchess"), ("god", "goddess"), ("businessman", "businesswoman"),
    ("dad", "mom"), ("grandpa", "grandma"), ("kings", "queens"), ("fathers", "mothers"),
    ("sons", "daughters"),
]

# (verb, its simple past), regular and irregular
PAST_TENSE = [
    ("walk", "walked"), ("play", "played"), ("go", "went"), ("see", "saw"), ("take", "took"),
    ("write", "wrote"), ("eat", "ate"), ("sing", "sang"), ("swim", "swam"), ("speak", "spoke"),
    ("think", "thought"), ("buy", "bought"), ("fly", "flew"), ("know", "knew"), ("give", "gave"),
    ("say", "said"), ("find", "found"), ("drive", "drove"), ("fall", "fell"), ("grow", "grew"),
    ("break", "broke"), ("choose", "chose"), ("begin", "began"), ("decide", "decided"),
    ("listen", "listened"), ("jump", "jumped"), ("look", "looked"), ("work", "worked"),
    ("move", "moved"), ("teach", "taught"),
]

# (verb, its present participle / -ing form)
PRESENT_PARTICIPLE = [
    ("walk", "walking"), ("play", "playing"), ("go", "going"), ("see", "seeing"),
    ("take", "taking"), ("write", "writing"), ("eat", "eating"), ("run", "running"),
    ("sing", "singing"), ("swim", "swimming"), ("speak", "speaking"), ("think", "thinking"),
    ("read", "reading"), ("dance", "dancing"), ("fly", "flying"), ("listen", "listening"),
    ("jump", "jumping"), ("look", "looking"), ("work", "working"), ("move", "moving"),
    ("sleep", "sleeping"), ("cook", "cooking"), ("describe", "describing"),
    ("increase", "increasing"), ("decrease", "decreasing"), ("sit", "sitting"),
    ("shop", "shopping"), ("plan", "planning"), ("drive", "driving"), ("build", "building"),
]

CATEGORIES = {
    "capital_country": CAPITAL_COUNTRY,
    "country_currency": COUNTRY_CURRENCY,
    "singular_plural": SINGULAR_PLURAL,
    "comparative_superlative": COMPARATIVE_SUPERLATIVE,
    "male_female": MALE_FEMALE,
    "past_tense": PAST_TENSE,
    "present_participle": PRESENT_PARTICIPLE,
}


def analogies():
    """Rows (category, a, b, c, d), category by category, in a fixed order."""
    rows = []
    for category, pairs in CATEGORIES.items():
        if len(set(pairs)) != len(pairs):
            raise ValueError(f"{category}: a pair is listed twice")
        n = len(pairs)
        for i in range(n):
            for offset in PARTNER_OFFSETS:
                (a, b), (c, d) = pairs[i], pairs[(i + offset) % n]
                rows.append((category, a, b, c, d))
    return rows


def main():
    with OUTPUT.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(("category", "a", "b", "c", "d"))
        writer.writerows(analogies())
    print(f"wrote {OUTPUT} ({len(analogies())} analogies)")


if __name__ == "__main__":
    main()
