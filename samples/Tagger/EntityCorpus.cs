// The bundled corpus of this sample (data/people-cities-dates.conll): sentences made up by a
// template generator written for RnnGen (no external data). Run the sample with --regenerate to
// write the file again (seeded: the same file every time).
//
// Tags (BIO, as CoNLL-2003): B-/I-PER (people: first name, optional surname), B-/I-CITY (cities,
// some of several words: "New York", "Rio de Janeiro"), B-/I-DATE (weekdays, "June 4", "4 June
// 2019", "March 2020", "the 5th of May", "next Friday"), O. Many words are ambiguous on purpose:
// Austin, Jackson, Florence, Charlotte, Sydney, Victoria, Lincoln, Orlando are people and cities;
// May, June, April, August are months and first names. Only the context tells which, so a tagger
// that memorises words does not reach a perfect score. A third of the people and cities get an
// invented name made of random syllables ("Talumo Veskari", "Port Anvela"), mostly seen once, so
// the tagger (which maps words seen once in training to <unk>) must tag them from context; in
// templates such as "{P} misses {X}" (X a person or a city) context alone cannot decide.
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using RnnGen.Initialization;

namespace Tagging;

internal static class EntityCorpus
{
    private static readonly string[] FirstNames =
        ["Anna", "Ben", "Carla", "David", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemal", "Lena",
         "Marco", "Nadia", "Oskar", "Priya", "Quentin", "Rosa", "Samir", "Tara", "Ulla", "Victor", "Wen", "Yusuf",
         "Zoe", "Austin", "Jackson", "Florence", "Charlotte", "Sydney", "Victoria", "Lincoln", "Orlando",
         "May", "June", "April", "August", "Paris", "Georgia", "Chen", "Amara", "Bruno", "Dmitri", "Esther"];
    private static readonly string[] Surnames =
        ["Smith", "Garcia", "Okafor", "Tanaka", "Novak", "Rossi", "Kowalski", "Haddad", "Larsen", "Moreau",
         "Jackson", "Lincoln", "Austin", "Silva", "Nguyen", "Schmidt", "Ivanova", "Berg", "Costa", "Patel"];
    private static readonly string[][] Cities =
        [["Berlin"], ["Lagos"], ["Tokyo"], ["Lima"], ["Oslo"], ["Cairo"], ["Madrid"], ["Quebec"], ["Austin"],
         ["Jackson"], ["Florence"], ["Charlotte"], ["Sydney"], ["Victoria"], ["Lincoln"], ["Orlando"], ["Paris"],
         ["New", "York"], ["San", "Diego"], ["Rio", "de", "Janeiro"], ["Hong", "Kong"], ["Buenos", "Aires"],
         ["Kyoto"], ["Nairobi"], ["Porto"], ["Dublin"], ["Krakow"], ["Mumbai"], ["Seoul"], ["Lyon"], ["Tunis"],
         ["Las", "Vegas"], ["Cape", "Town"], ["Tel", "Aviv"], ["Salt", "Lake", "City"], ["Vienna"], ["Perth"]];
    private static readonly string[] Months =
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
    private static readonly string[] Weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

    // {P} person, {C} city, {D} date; everything else is O.
    private static readonly string[] Templates =
    [
        "{P} flew to {C} on {D} .",
        "{P} met {P} in {C} .",
        "On {D} , {P} moved from {C} to {C} .",
        "The meeting in {C} was moved to {D} .",
        "{P} was born in {C} .",
        "{P} will visit {C} {D} .",
        "{P} and {P} drove from {C} to {C} .",
        "According to {P} , the festival in {C} starts {D} .",
        "{P} called {P} from {C} on {D} .",
        "The train to {C} leaves {D} at noon .",
        "{P} has lived in {C} since {D} .",
        "We asked {P} about the weather in {C} .",
        "{P} said that {P} would arrive {D} .",
        "Tickets for {C} sold out {D} .",
        "The report from {C} was written by {P} .",
        "{P} thanked {P} for the trip .",
        "The shop closes early {D} .",
        "Nobody knew where the keys were .",
        "{P} prefers {C} to {C} in {M} .",
        "In {M} , {P} opened a bakery in {C} .",
        "{P} misses {X} .",
        "Everyone talks about {X} these days .",
        "{P} wrote a song about {X} in {M} .",
        "The photo of {X} hangs in the hall .",
    ];
    private static readonly string[] Syllables =
        ["ka", "lu", "mo", "ve", "ski", "ri", "ta", "an", "del", "or", "vi", "sa", "mer", "ko", "tu", "ne", "bra", "zel", "po", "in"];

    public static IReadOnlyList<(string[] Tokens, string[] Tags)> Generate(int count, long seed)
    {
        var random = new SeededRandom(seed);
        var sentences = new List<(string[], string[])>(count);
        var tokens = new List<string>();
        var tags = new List<string>();
        for (int n = 0; n < count; n++)
        {
            tokens.Clear();
            tags.Clear();
            foreach (string part in Templates[random.NextInt(Templates.Length)].Split(' '))
            {
                switch (part)
                {
                    case "{P}": Add(tokens, tags, "PER", Person(ref random)); break;
                    case "{C}": Add(tokens, tags, "CITY", City(ref random)); break;
                    case "{X}":
                        if (random.NextInt(2) == 0) Add(tokens, tags, "PER", Person(ref random));
                        else Add(tokens, tags, "CITY", City(ref random));
                        break;
                    case "{D}": Add(tokens, tags, "DATE", Date(ref random)); break;
                    case "{M}": Add(tokens, tags, "DATE", [Pick(ref random, Months)]); break;
                    default: tokens.Add(part); tags.Add("O"); break;
                }
            }
            sentences.Add((tokens.ToArray(), tags.ToArray()));
        }
        return sentences;
    }

    /// <summary>Writes CoNLL: "token tag" per line, a blank line after each sentence.</summary>
    public static void WriteConll(string path, IReadOnlyList<(string[] Tokens, string[] Tags)> sentences)
    {
        var text = new StringBuilder("# Generated by samples/Tagger (EntityCorpus.cs, seed 2026): people, cities and dates, BIO tags.\n");
        foreach (var (tokens, tags) in sentences)
        {
            for (int i = 0; i < tokens.Length; i++) text.Append(tokens[i]).Append(' ').Append(tags[i]).Append('\n');
            text.Append('\n');
        }
        File.WriteAllText(path, text.ToString());
    }

    private static string[] Person(ref SeededRandom random)
    {
        string first = random.NextInt(3) == 0 ? Invented(ref random) : Pick(ref random, FirstNames);
        if (random.NextInt(3) == 0) return [first];
        return [first, random.NextInt(3) == 0 ? Invented(ref random) : Pick(ref random, Surnames)];
    }

    private static string[] City(ref SeededRandom random)
    {
        if (random.NextInt(3) != 0) return Cities[random.NextInt(Cities.Length)];
        return random.NextInt(4) switch
        {
            0 => ["Port", Invented(ref random)],
            1 => [Invented(ref random), "Falls"],
            _ => [Invented(ref random)],
        };
    }

    private static string Invented(ref SeededRandom random)
    {
        int n = 2 + random.NextInt(2);
        var name = new StringBuilder();
        for (int i = 0; i < n; i++) name.Append(Pick(ref random, Syllables));
        name[0] = char.ToUpperInvariant(name[0]);
        return name.ToString();
    }

    private static string[] Date(ref SeededRandom random)
    {
        string day = (1 + random.NextInt(28)).ToString(CultureInfo.InvariantCulture);
        string month = Pick(ref random, Months);
        string year = (1990 + random.NextInt(35)).ToString(CultureInfo.InvariantCulture);
        return random.NextInt(7) switch
        {
            0 => [month, day],
            1 => [day, month, year],
            2 => [month, year],
            3 => ["next", Pick(ref random, Weekdays)],
            4 => [Pick(ref random, Weekdays)],
            5 => ["the", Ordinal(1 + random.NextInt(28)), "of", month],
            _ => [month, day, ",", year],
        };
    }

    private static string Ordinal(int d) => d.ToString(CultureInfo.InvariantCulture) + (d % 10) switch
    {
        1 when d != 11 => "st",
        2 when d != 12 => "nd",
        3 when d != 13 => "rd",
        _ => "th",
    };

    private static void Add(List<string> tokens, List<string> tags, string type, string[] words)
    {
        for (int i = 0; i < words.Length; i++) { tokens.Add(words[i]); tags.Add((i == 0 ? "B-" : "I-") + type); }
    }

    private static string Pick(ref SeededRandom random, string[] items) => items[random.NextInt(items.Length)];
}
