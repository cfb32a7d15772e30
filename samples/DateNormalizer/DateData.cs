using System.Collections.Generic;

namespace DateNormalizer;

/// <summary>A (human, ISO) pair.</summary>
public readonly record struct DatePair(string Human, string Iso);

/// <summary>Training, validation and held-out test pairs from <see cref="DateCorpus"/>: no human string of the
/// validation or test set occurs in an earlier set, so the scores are on dates written in ways never seen.</summary>
public sealed class DateData
{
    public DateData(int train, int validation, int test, long seed)
    {
        var seen = new HashSet<string>(System.StringComparer.Ordinal);
        Train = Draw(new DateCorpus(seed), train, seen);
        Validation = Draw(new DateCorpus(seed + 1), validation, seen);
        Test = Draw(new DateCorpus(seed + 2), test, seen);
    }

    public List<DatePair> Train { get; }
    public List<DatePair> Validation { get; }
    public List<DatePair> Test { get; }

    private static List<DatePair> Draw(DateCorpus corpus, int count, HashSet<string> seen)
    {
        var pairs = new List<DatePair>(count);
        while (pairs.Count < count)
        {
            (string human, string iso) = corpus.Next();
            if (seen.Add(human)) pairs.Add(new DatePair(human, iso));
        }
        return pairs;
    }
}
