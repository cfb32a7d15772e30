// The bundled corpus of this sample: sentences about a tiny world, made up by a template
// generator written for RnnGen (no external data). Seeded: the same text every run.
//
// It is built so that distributional similarity has something to find:
// - people words carry three independent properties through their contexts: gender (he/his/himself
//   vs she/her/herself), rank (royal: crown, throne, palace; common: house, street, market) and age
//   (adult: job, office, taxes; young: toys, school, homework), plus a family context for some
//   (father/mother: children; uncle/aunt: nephew; son/daughter: parents). "king" shares the royal
//   contexts with "queen" and the male and adult ones with "man", which is what makes
//   king − man + woman ≈ queen work;
// - animals, fruits, colours, weekdays and tools each share their group's contexts ("fed the cat",
//   "peeled the apple", "painted it red", "on monday", "fixed it with a hammer") and have one
//   context of their own ("the cat purred", "the apple orchard"), so neighbours within a group are
//   close but not identical;
// - filler words (the, a, and, then, …) appear everywhere.
using System.Collections.Generic;
using System.Text;
using RnnGen.Initialization;

namespace EmbeddingsSample;

internal static class TinyWorldCorpus
{
    // word, gender (0 male, 1 female), royal, young, family context (or null)
    public static readonly (string Word, int Gender, bool Royal, bool Young, string? Family)[] People =
    [
        ("king", 0, true, false, null), ("queen", 1, true, false, null), ("prince", 0, true, true, null), ("princess", 1, true, true, null),
        ("man", 0, false, false, null), ("woman", 1, false, false, null), ("father", 0, false, false, "children"), ("mother", 1, false, false, "children"),
        ("uncle", 0, false, false, "nephew"), ("aunt", 1, false, false, "nephew"),
        ("boy", 0, false, true, null), ("girl", 1, false, true, null), ("son", 0, false, true, "parents"), ("daughter", 1, false, true, "parents"),
    ];
    public static readonly string[] Animals = ["cat", "dog", "horse", "cow", "sheep", "goat", "rabbit", "pig"];
    private static readonly string[] AnimalOwn = ["purred", "barked", "galloped", "mooed", "bleated", "climbed", "hopped", "oinked"];
    public static readonly string[] Fruits = ["apple", "pear", "banana", "orange", "plum", "cherry", "mango", "peach"];
    private static readonly string[] FruitOwn = ["orchard", "cider", "bunch", "marmalade", "jam", "pie", "chutney", "cobbler"];
    public static readonly string[] Colors = ["red", "blue", "green", "yellow", "purple", "black", "white", "brown"];
    private static readonly string[] ColorOwn = ["tomato", "sky", "grass", "sun", "violet", "night", "snow", "mud"];
    public static readonly string[] Days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
    public static readonly string[] Tools = ["hammer", "saw", "drill", "wrench", "shovel", "rake", "chisel", "ladder"];
    private static readonly string[] ToolOwn = ["nails", "planks", "holes", "bolts", "dirt", "leaves", "stone", "roof"];

    private static readonly string[][] GenderWords = [["he", "his", "himself"], ["she", "her", "herself"]];
    private static readonly string[] RoyalObjects = ["crown", "throne", "palace", "kingdom", "court", "castle", "subjects", "robe", "jewels"];
    private static readonly string[] CommonObjects = ["house", "street", "garden", "neighbours", "kitchen", "village", "cottage", "bakery"];
    private static readonly string[] AdultObjects = ["job", "office", "salary", "taxes", "boss", "mortgage", "coffee", "meeting"];
    private static readonly string[] YoungObjects = ["toys", "school", "homework", "teacher", "bike", "playground", "crayons", "games"];
    private static readonly string[] RoleVerbs = ["loved", "cleaned", "showed", "forgot", "guarded", "admired", "visited", "missed"];

    /// <summary>Generates <paramref name="count"/> sentences, lower case, words separated by spaces.</summary>
    public static List<string> Generate(int count, long seed)
    {
        var random = new SeededRandom(seed);
        var lines = new List<string>(count);
        var s = new StringBuilder();
        for (int n = 0; n < count; n++)
        {
            s.Clear();
            switch (random.NextInt(8))
            {
                case 0: case 1: case 2:
                    {
                        var (word, gender, royal, young, family) = People[random.NextInt(People.Length)];
                        string[] g = GenderWords[gender];
                        string rank = Pick(ref random, royal ? RoyalObjects : CommonObjects);
                        string age = Pick(ref random, young ? YoungObjects : AdultObjects);
                        if (random.NextInt(2) == 0) (rank, age) = (age, rank);
                        s.Append(random.NextInt(3) switch
                        {
                            0 => $"the {word} {Pick(ref random, RoleVerbs)} {g[1]} {rank} and {g[1]} {age}",
                            1 => $"then the {word} said {g[0]} {Pick(ref random, RoleVerbs)} the {rank} {g[2]}",
                            _ => $"the {rank} belonged to the {word} and {g[0]} {Pick(ref random, RoleVerbs)} the {age}",
                        });
                        if (family is not null && random.NextInt(2) == 0) s.Append($" with the {family}");
                        break;
                    }
                case 3:
                    s.Append(random.NextInt(3) switch
                    {
                        0 => $"the farmer fed the {Pick(ref random, Animals)} in the barn",
                        1 => $"a {Pick(ref random, Animals)} ate grass in the field near the {Pick(ref random, Animals)}",
                        _ => Own(ref random, Animals, AnimalOwn, "the {0} {1} in the yard"),
                    });
                    break;
                case 4:
                    s.Append(random.NextInt(3) switch
                    {
                        0 => $"she peeled a ripe {Pick(ref random, Fruits)} and ate it",
                        1 => $"the juice of the {Pick(ref random, Fruits)} was sweet",
                        _ => Own(ref random, Fruits, FruitOwn, "he made {0} {1} for the market"),
                    });
                    break;
                case 5:
                    s.Append(random.NextInt(3) switch
                    {
                        0 => $"they painted the door {Pick(ref random, Colors)}",
                        1 => $"the {Pick(ref random, Colors)} paint dried next to the {Pick(ref random, Colors)} paint",
                        _ => Own(ref random, Colors, ColorOwn, "the {1} looked {0} that day"),
                    });
                    break;
                case 6:
                    s.Append(random.NextInt(3) switch
                    {
                        0 => $"the shop opens again on {Pick(ref random, Days)} morning",
                        1 => $"we met on {Pick(ref random, Days)} and again on {Pick(ref random, Days)}",
                        _ => $"every {Pick(ref random, Days)} the market is busy",
                    });
                    break;
                default:
                    s.Append(random.NextInt(3) switch
                    {
                        0 => $"he fixed the fence with a {Pick(ref random, Tools)}",
                        1 => $"the {Pick(ref random, Tools)} hung in the shed beside the {Pick(ref random, Tools)}",
                        _ => Own(ref random, Tools, ToolOwn, "she took the {0} for the {1}"),
                    });
                    break;
            }
            lines.Add(s.ToString());
        }
        return lines;
    }

    // A word of the group with its own context word, e.g. "the cat purred in the yard".
    private static string Own(ref SeededRandom random, string[] group, string[] own, string format)
    {
        int k = random.NextInt(group.Length);
        return string.Format(System.Globalization.CultureInfo.InvariantCulture, format, group[k], own[k]);
    }

    private static string Pick(ref SeededRandom random, string[] items) => items[random.NextInt(items.Length)];
}
