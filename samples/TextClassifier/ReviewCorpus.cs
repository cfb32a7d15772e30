// The bundled corpus of this sample: short product reviews made up by a template generator
// written for RnnGen (no external data, no copyright). Seeded, so every run sees the same reviews.
//
// A review is one or two opinion clauses, optionally with a factual clause ("it arrived on
// monday"), joined by "and", "but", "," or ".". Each opinion clause has a polarity of +1 or −1
// from its adjective or verb ("the battery is superb", "i hate the lid"); negation ("not",
// "never", "far from", "isn't", "wouldn't") flips it. The label is the sign of the summed
// polarity: positive (> 0), negative (< 0), neutral (= 0: factual only, or mixed, e.g. "the
// screen is great but the battery is awful"). Every adjective occurs in all three classes
// (negated, mixed, plain), so no single word decides the class: the model has to read
// negation scope and combine clauses.
using System.Collections.Generic;
using System.Text;
using RnnGen.Initialization;

namespace TextClassification;

internal static class ReviewCorpus
{
    public static readonly string[] Labels = ["negative", "neutral", "positive"];

    private static readonly string[] Products =
        ["phone", "laptop", "blender", "kettle", "headset", "camera", "vacuum", "lamp", "backpack", "charger",
         "monitor", "keyboard", "toaster", "speaker", "router", "drill", "mattress", "jacket", "tent", "watch"];
    private static readonly string[] Aspects =
        ["battery", "screen", "sound", "price", "build", "design", "delivery", "packaging", "manual", "fan",
         "cable", "handle", "lid", "strap", "motor", "button", "finish", "fabric", "zipper", "display"];
    private static readonly string[] Positive =
        ["great", "excellent", "solid", "reliable", "sturdy", "lovely", "superb", "impressive", "fantastic",
         "decent", "pleasant", "quiet", "fast", "bright", "comfortable", "good", "perfect", "nice"];
    private static readonly string[] Negative =
        ["terrible", "awful", "flimsy", "cheap", "noisy", "slow", "disappointing", "broken", "useless", "poor",
         "dim", "fragile", "horrible", "weak", "bad", "uncomfortable", "mediocre", "faulty"];
    private static readonly string[] PositiveVerbs = ["love", "like", "enjoy", "adore", "appreciate"];
    private static readonly string[] NegativeVerbs = ["hate", "dislike", "regret", "despise", "resent"];
    private static readonly string[] Intensifiers = ["", "", "", "really", "very", "quite", "pretty", "extremely", "rather"];
    private static readonly string[] Days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
    private static readonly string[] People = ["wife", "husband", "son", "daughter", "mother", "father", "office", "friend"];
    private static readonly string[] Colors = ["black", "white", "grey", "blue", "red", "green", "silver"];

    /// <summary>Generates <paramref name="count"/> labelled reviews (label = index into <see cref="Labels"/>).</summary>
    public static List<(string Text, int Label)> Generate(int count, long seed)
    {
        var random = new SeededRandom(seed);
        var reviews = new List<(string, int)>(count);
        var text = new StringBuilder();
        for (int n = 0; n < count; n++)
        {
            text.Clear();
            string product = Pick(ref random, Products);
            int score = 0;
            // shape: 0 = factual only, 1 = one opinion, 2 = two opinions (often mixed)
            int shape = random.NextInt(10) switch { 0 or 1 => 0, 2 or 3 or 4 or 5 => 1, _ => 2 };
            bool factualFirst = random.NextInt(2) == 0;
            bool withFactual = shape == 0 || random.NextInt(3) == 0;
            if (withFactual && factualFirst) { text.Append(Factual(ref random, product)); }
            for (int c = 0; c < shape; c++)
            {
                if (text.Length > 0)
                {
                    text.Append(random.NextInt(4) switch { 0 => " and ", 1 => " but ", 2 => " , ", _ => " . " });
                }
                score += Opinion(ref random, product, text, first: c == 0);
            }
            if (withFactual && !factualFirst)
            {
                if (text.Length > 0) text.Append(random.NextInt(2) == 0 ? " . " : " and ");
                text.Append(Factual(ref random, product));
            }
            if (shape == 0 && random.NextInt(2) == 0) text.Append(" . ").Append(Factual(ref random, product));
            int label = score > 0 ? 2 : score < 0 ? 0 : 1;
            reviews.Add((text.ToString(), label));
        }
        return reviews;
    }

    /// <summary>Appends one opinion clause and returns its polarity (+1 or −1).</summary>
    private static int Opinion(ref SeededRandom random, string product, StringBuilder text, bool first)
    {
        bool positive = random.NextInt(2) == 0;
        bool negated = random.NextInt(3) == 0;
        string subject = random.NextInt(3) == 0 || first && random.NextInt(2) == 0 ? $"the {product}" : $"the {Pick(ref random, Aspects)}";
        string adjective = positive ? Pick(ref random, Positive) : Pick(ref random, Negative);
        string intensifier = Pick(ref random, Intensifiers);
        string adj = intensifier.Length == 0 ? adjective : intensifier + " " + adjective;
        switch (random.NextInt(6))
        {
            case 0:
            case 1:
                text.Append(subject).Append(negated ? Pick(ref random, [" is not ", " isn't ", " was not ", " wasn't ", " is far from ", " is never "]) : Pick(ref random, [" is ", " was ", " feels ", " seems "])).Append(adj);
                break;
            case 2:
                text.Append(negated ? "i did not find " : "i found ").Append(subject).Append(' ').Append(adj);
                break;
            case 3:
                {
                    string verb = positive ? Pick(ref random, PositiveVerbs) : Pick(ref random, NegativeVerbs);
                    text.Append(negated ? Pick(ref random, ["i don't ", "i do not ", "i never "]) : "i ").Append(verb).Append(' ').Append(subject);
                    break;
                }
            case 4:
                text.Append(positive
                    ? negated ? "i would not recommend it" : Pick(ref random, ["i would recommend it", "would buy again", "worth every penny"])
                    : negated ? Pick(ref random, ["i would not return it", "i have no regrets"]) : Pick(ref random, ["i returned it", "a waste of money", "never again"]));
                break;
            default:
                text.Append(negated ? "no one would call " : "everyone calls ").Append(subject).Append(' ').Append(adj);
                break;
        }
        return (positive ? 1 : -1) * (negated ? -1 : 1);
    }

    private static string Factual(ref SeededRandom random, string product) => random.NextInt(6) switch
    {
        0 => $"it arrived on {Pick(ref random, Days)}",
        1 => $"i bought the {product} for my {Pick(ref random, People)}",
        2 => $"the {product} comes in {Pick(ref random, Colors)}",
        3 => $"i have used it for {2 + random.NextInt(9)} weeks",
        4 => $"the box held the {product} and a {Pick(ref random, Aspects)}",
        _ => $"it replaced my old {product}",
    };

    private static string Pick(ref SeededRandom random, string[] items) => items[random.NextInt(items.Length)];
}
