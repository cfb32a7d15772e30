#!/usr/bin/env python3
"""Writes river-towns.txt, the original text the CharLm sample trains on.

Everything here was written for RnnGen: the word lists, the sentence templates and the proverbs are
original, so the generated text is free of third-party rights (dedicated to the public domain, CC0).
The text is a seeded random walk through the templates: tales of the towns along an imaginary river,
told in a plain nineteenth-century almanac style. Regenerate with `python3 generate_corpus.py`
(same seed, same bytes).
"""
import random

rng = random.Random(1851)

towns = ["Millbrook", "Ashford", "Greywater", "Hollin", "Stonebridge", "Larkmoor", "Eastwick", "Fennick",
         "Oldmere", "Redcliff", "Thornbury", "Willowby"]
names = ["Martha", "Thomas", "Eliza", "Samuel", "Agnes", "Walter", "Hannah", "Edmund", "Ruth", "Josiah",
         "Clara", "Abel", "Mercy", "Silas", "Lydia", "Jonas"]
trades = ["miller", "ferryman", "weaver", "blacksmith", "schoolmistress", "baker", "shepherd", "carpenter",
          "lamplighter", "fisherman", "tanner", "clockmaker", "innkeeper", "potter"]
adjectives = ["old", "quiet", "narrow", "bright", "cold", "gentle", "crooked", "patient", "weary", "green",
              "grey", "honest", "small", "broad", "silent", "stubborn"]
things = ["lantern", "bridge", "orchard", "barn", "road", "chapel", "well", "mill wheel", "boat", "garden",
          "meadow", "fence", "chimney", "bell", "cart", "gate", "hearth", "willow"]
weathers = ["the rain came early", "the frost lay thick on the fields", "the wind turned to the east",
            "a fog rose from the water", "the sun stood warm over the hills", "snow fell through the night",
            "the river ran high and brown", "the evenings grew long and still"]
seasons = ["In the spring", "In the autumn", "That winter", "Late in the summer", "At harvest time",
           "Before the thaw", "On a market day", "One evening in March", "Early in the morning"]
feelings = ["glad", "afraid", "tired", "surprised", "ashamed", "content", "uneasy", "proud"]
actions = ["mended the {thing}", "painted the {thing}", "walked down to the {thing}", "sat by the {thing}",
           "carried water to the {thing}", "swept the path before the {thing}", "waited beside the {thing}",
           "counted the stones of the {thing}", "sang softly near the {thing}"]
proverbs = [
    "A slow river still reaches the sea.",
    "Mend the roof while the sky is clear.",
    "The miller who sleeps grinds no corn.",
    "Bread shared is bread doubled.",
    "A kind word costs less than a candle and gives more light.",
    "Do not count the fish before the net is in the boat.",
    "The longest road begins at your own gate.",
    "Still water keeps its secrets, but it keeps them cold.",
    "He who plants a willow plants for his grandchildren.",
    "A lantern in the window is worth two on the shelf.",
    "Every bridge was once only a plank.",
    "Ask the ferryman about the river, not the bishop.",
]

def pick(items):
    return rng.choice(items)

def person():
    return f"{pick(names)} the {pick(trades)}"

def action():
    return pick(actions).format(thing=pick(things))

def sentence():
    kind = rng.randrange(12)
    if kind == 0:
        return f"{pick(seasons)}, {pick(weathers)}, and {person()} {action()}."
    if kind == 1:
        return f"In {pick(towns)} there lived {person()}, who was {pick(adjectives)} and {pick(adjectives)}."
    if kind == 2:
        return f"\"Why do you {pick(['stay', 'wait', 'work', 'sing', 'watch'])} here?\" asked {pick(names)}. " \
               f"\"Because the {pick(adjectives)} {pick(things)} needs someone,\" said {pick(names)}."
    if kind == 3:
        return f"The {pick(adjectives)} {pick(things)} of {pick(towns)} stood near the river for a hundred years."
    if kind == 4:
        return f"{pick(names)} was {pick(feelings)}, for {pick(weathers)}, and the {pick(things)} was far away."
    if kind == 5:
        return f"Nobody in {pick(towns)} remembered who had built the {pick(things)}, but everyone used it."
    if kind == 6:
        return f"So {person()} {action()}, and then {action()}, until the light was gone."
    if kind == 7:
        return f"They say in {pick(towns)}: {pick(proverbs)}"
    if kind == 8:
        n = rng.randrange(2, 13)
        return f"It took {n} days to travel from {pick(towns)} to {pick(towns)} by the {pick(['river', 'old road', 'hill path'])}."
    if kind == 9:
        return f"When the {pick(things)} broke, {person()} said nothing and {action()}."
    if kind == 10:
        return f"\"{pick(proverbs)[:-1]},\" said {pick(names)}, and the others nodded."
    return f"The people of {pick(towns)} were {pick(adjectives)}, and their {pick(things)}s were {pick(adjectives)}."

def paragraph():
    return " ".join(sentence() for _ in range(rng.randrange(3, 8)))

def main():
    parts = ["THE ALMANAC OF THE RIVER TOWNS", "",
             "Tales, sayings and small histories of the towns along the river, set down as they were told.", ""]
    chapter = 0
    size = sum(len(p) + 1 for p in parts)
    while size < 72_000:
        if size // 6000 >= chapter:
            chapter += 1
            title = f"CHAPTER {chapter}. OF {pick(towns).upper()} AND THE {pick(things).upper()}"
            parts += [title, ""]
            size += len(title) + 2
        text = paragraph()
        parts += [text, ""]
        size += len(text) + 2
    with open("river-towns.txt", "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(parts))

if __name__ == "__main__":
    main()
