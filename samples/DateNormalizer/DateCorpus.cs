// The training data of this sample: dates written the way people write them, each paired with its
// ISO 8601 form ("yyyy-MM-dd"). Generated, seeded, no external data. Dates are uniform between
// 1950-01-01 and 2049-12-31; the format is uniform over the 29 formats below; month and weekday
// names are Title case (half of the samples), lower case (30 %) or UPPER CASE (20 %), the case
// applying to the whole string ("25TH OF JUNE, 2009").
//
// Formats (shown for Thursday 25 June 2009):
//    0 ordinal-of-month-comma-year         25th of June, 2009
//    1 the-ordinal-of-month-year           the 25th of June 2009
//    2 ordinal-month-year                  25th June 2009
//    3 weekday-day-month-year              Thursday 25 June 2009
//    4 weekday-comma-month-day-comma-year  Thursday, June 25, 2009
//    5 weekday-comma-the-ordinal-of-month  Thursday, the 25th of June, 2009
//    6 day-month-year                      25 June 2009
//    7 day-mon-year                        25 Jun 2009
//    8 month-day-comma-year                June 25, 2009
//    9 mon-day-year                        Jun 25 2009
//   10 mon-dot-day-comma-year              Jun. 25, 2009
//   11 month-ordinal-year                  June 25th 2009
//   12 month-day-apostrophe-yy             June 25 '09
//   13 day-month-yy                        25 June 09
//   14 day-mon-year-dashed                 25-Jun-2009   (day always two digits: 05-Jun-2009)
//   15 day-mon-yy-dashed                   25-Jun-09     (05-Jun-09)
//   16 wkd-comma-day-mon-year              Thu, 25 Jun 2009
//   17 wkd-mon-day-year                    Thu Jun 25 2009   (day always two digits: Fri Jun 05 2009)
//   18 M/d/yyyy                            6/25/2009
//   19 M/d/yy                              6/25/09
//   20 MM/dd/yyyy                          06/25/2009
//   21 dd.MM.yyyy                          25.06.2009
//   22 d.M.yyyy                            25.6.2009
//   23 d.M.yy                              25.6.09
//   24 dd-MM-yyyy                          25-06-2009
//   25 yyyy/MM/dd                          2009/06/25
//   26 yyyy.MM.dd                          2009.06.25
//   27 yyyy-M-d                            2009-6-25
//   28 yyyyMMdd                            20090625
//
// Conventions that keep every string unambiguous (one string, one date, across all formats):
//  - slash with the year last is US order, month/day ("6/25/09"); there is no day/month/year slash
//    format, so "05/06/2009" is always May 6;
//  - dot and dash with the year last are day first, day.month / day-month ("25.06.2009", "25-06-2009");
//  - numeric formats with the year first always have a four-digit year, then month, then day;
//  - two-digit years: 50–99 are 1950–1999, 00–49 are 2000–2049 (exactly the range of the corpus);
//  - weekday names are always the true weekday of the date.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using RnnGen.Initialization;

namespace DateNormalizer;

/// <summary>A seeded, endless source of (human-written date, ISO date) pairs. See the comment at the top of the file for the formats.</summary>
public sealed class DateCorpus
{
    /// <summary>How month and weekday names (and the words and ordinal suffixes around them) are cased.</summary>
    public enum NameCase
    {
        /// <summary>"25th of June, 2009".</summary>
        Title = 0,

        /// <summary>"25th of june, 2009".</summary>
        Lower = 1,

        /// <summary>"25TH OF JUNE, 2009".</summary>
        Upper = 2,
    }

    /// <summary>The first date the corpus produces.</summary>
    public static DateOnly MinDate { get; } = new(1950, 1, 1);

    /// <summary>The last date the corpus produces (two-digit years cover exactly 1950–2049).</summary>
    public static DateOnly MaxDate { get; } = new(2049, 12, 31);

    /// <summary>
    /// The longest human string any format produces: format 5 with the longest weekday, ordinal and
    /// month, "Wednesday, the 23rd of September, 2009" (9 + 6 + 4 + 4 + 9 + 2 + 4 = 38). Checked
    /// against every date in every format.
    /// </summary>
    public const int MaxSourceLength = 38;

    private static readonly IFormatProvider Inv = CultureInfo.InvariantCulture;

    private static readonly string[] Months =
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
    private static readonly string[] MonthAbbreviations =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    // Indexed by DayOfWeek (Sunday = 0).
    private static readonly string[] Weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
    private static readonly string[] WeekdayAbbreviations = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

    /// <summary>Words other than names and ordinal suffixes that formats write (for the alphabet).</summary>
    private static readonly string[] Words = ["the", "of", "st", "nd", "rd", "th"];

    /// <summary>Punctuation that formats write between the parts (for the alphabet).</summary>
    private const string Punctuation = " ,.-/'";

    private static readonly (string Name, Func<DateOnly, string> Write)[] Formats =
    [
        ("ordinal-of-month-comma-year", d => $"{Ordinal(d)} of {Month(d)}, {Year(d)}"),
        ("the-ordinal-of-month-year", d => $"the {Ordinal(d)} of {Month(d)} {Year(d)}"),
        ("ordinal-month-year", d => $"{Ordinal(d)} {Month(d)} {Year(d)}"),
        ("weekday-day-month-year", d => $"{Weekday(d)} {Day(d)} {Month(d)} {Year(d)}"),
        ("weekday-comma-month-day-comma-year", d => $"{Weekday(d)}, {Month(d)} {Day(d)}, {Year(d)}"),
        ("weekday-comma-the-ordinal-of-month", d => $"{Weekday(d)}, the {Ordinal(d)} of {Month(d)}, {Year(d)}"),
        ("day-month-year", d => $"{Day(d)} {Month(d)} {Year(d)}"),
        ("day-mon-year", d => $"{Day(d)} {Mon(d)} {Year(d)}"),
        ("month-day-comma-year", d => $"{Month(d)} {Day(d)}, {Year(d)}"),
        ("mon-day-year", d => $"{Mon(d)} {Day(d)} {Year(d)}"),
        ("mon-dot-day-comma-year", d => $"{Mon(d)}. {Day(d)}, {Year(d)}"),
        ("month-ordinal-year", d => $"{Month(d)} {Ordinal(d)} {Year(d)}"),
        ("month-day-apostrophe-yy", d => $"{Month(d)} {Day(d)} '{Year2(d)}"),
        ("day-month-yy", d => $"{Day(d)} {Month(d)} {Year2(d)}"),
        ("day-mon-year-dashed", d => $"{Day2(d)}-{Mon(d)}-{Year(d)}"),
        ("day-mon-yy-dashed", d => $"{Day2(d)}-{Mon(d)}-{Year2(d)}"),
        ("wkd-comma-day-mon-year", d => $"{Wkd(d)}, {Day(d)} {Mon(d)} {Year(d)}"),
        ("wkd-mon-day-year", d => $"{Wkd(d)} {Mon(d)} {Day2(d)} {Year(d)}"),
        ("M/d/yyyy", d => d.ToString("M'/'d'/'yyyy", Inv)),
        ("M/d/yy", d => d.ToString("M'/'d'/'yy", Inv)),
        ("MM/dd/yyyy", d => d.ToString("MM'/'dd'/'yyyy", Inv)),
        ("dd.MM.yyyy", d => d.ToString("dd'.'MM'.'yyyy", Inv)),
        ("d.M.yyyy", d => d.ToString("d'.'M'.'yyyy", Inv)),
        ("d.M.yy", d => d.ToString("d'.'M'.'yy", Inv)),
        ("dd-MM-yyyy", d => d.ToString("dd'-'MM'-'yyyy", Inv)),
        ("yyyy/MM/dd", d => d.ToString("yyyy'/'MM'/'dd", Inv)),
        ("yyyy.MM.dd", d => d.ToString("yyyy'.'MM'.'dd", Inv)),
        ("yyyy-M-d", d => d.ToString("yyyy'-'M'-'d", Inv)),
        ("yyyyMMdd", d => d.ToString("yyyyMMdd", Inv)),
    ];

    private static readonly string[] FormatNameList = Array.ConvertAll(Formats, f => f.Name);

    private readonly int _firstDay = MinDate.DayNumber;
    private readonly int _dayCount = MaxDate.DayNumber - MinDate.DayNumber + 1;
    private SeededRandom _random;

    /// <summary>A corpus whose sequence is fixed by <paramref name="seed"/> (on every runtime and OS).</summary>
    public DateCorpus(long seed) => _random = new SeededRandom(seed);

    /// <summary>The names of the formats, in the order of the format indices of <see cref="Format"/>.</summary>
    public static IReadOnlyList<string> FormatNames => FormatNameList;

    /// <summary>Every character that can appear in a human date, in ordinal order (for a character vocabulary).</summary>
    public static string SourceAlphabet { get; } = BuildSourceAlphabet();

    /// <summary>Every character of an ISO date.</summary>
    public static string TargetAlphabet => "0123456789-";

    /// <summary>The next pair: a uniform random date in a uniform random format and case, and the same date as "yyyy-MM-dd".</summary>
    public (string Human, string Iso) Next()
    {
        var date = DateOnly.FromDayNumber(_firstDay + _random.NextInt(_dayCount));
        int format = _random.NextInt(Formats.Length);
        int roll = _random.NextInt(10);
        var nameCase = roll < 5 ? NameCase.Title : roll < 8 ? NameCase.Lower : NameCase.Upper;
        return (Format(date, format, nameCase), Iso(date));
    }

    /// <summary>Writes <paramref name="date"/> in format number <paramref name="format"/> (an index into <see cref="FormatNames"/>).</summary>
    public static string Format(DateOnly date, int format, NameCase nameCase = NameCase.Title)
    {
        if (date < MinDate || date > MaxDate)
            throw new ArgumentOutOfRangeException(nameof(date), date, $"Expected a date from {Iso(MinDate)} to {Iso(MaxDate)} (two-digit years cover exactly that range), but got {Iso(date)}.");
        if ((uint)format >= (uint)Formats.Length)
            throw new ArgumentOutOfRangeException(nameof(format), format, $"Expected a format index from 0 to {Formats.Length - 1}.");
        string text = Formats[format].Write(date);
        return nameCase switch
        {
            NameCase.Title => text,
            NameCase.Lower => text.ToLowerInvariant(),
            NameCase.Upper => text.ToUpperInvariant(),
            _ => throw new ArgumentOutOfRangeException(nameof(nameCase), nameCase, "Expected Title, Lower or Upper."),
        };
    }

    /// <summary>"yyyy-MM-dd".</summary>
    public static string Iso(DateOnly date) => date.ToString("yyyy'-'MM'-'dd", Inv);

    // ----- Parts (Title case; Format applies the case) -----

    private static string Year(DateOnly d) => d.Year.ToString("D4", Inv);

    private static string Year2(DateOnly d) => (d.Year % 100).ToString("D2", Inv);

    private static string Day(DateOnly d) => d.Day.ToString(Inv);

    private static string Day2(DateOnly d) => d.Day.ToString("D2", Inv);

    private static string Month(DateOnly d) => Months[d.Month - 1];

    private static string Mon(DateOnly d) => MonthAbbreviations[d.Month - 1];

    private static string Weekday(DateOnly d) => Weekdays[(int)d.DayOfWeek];

    private static string Wkd(DateOnly d) => WeekdayAbbreviations[(int)d.DayOfWeek];

    /// <summary>1st 2nd 3rd 4th … 11th 12th 13th … 21st 22nd 23rd … 31st.</summary>
    private static string Ordinal(DateOnly d)
    {
        int day = d.Day;
        string suffix = (day % 100) is >= 11 and <= 13 ? "th" : (day % 10) switch
        {
            1 => "st",
            2 => "nd",
            3 => "rd",
            _ => "th",
        };
        return day.ToString(Inv) + suffix;
    }

    private static string BuildSourceAlphabet()
    {
        var chars = new SortedSet<char>(); // char order is ordinal
        foreach (char c in "0123456789" + Punctuation)
            chars.Add(c);
        foreach (string[] names in new[] { Months, MonthAbbreviations, Weekdays, WeekdayAbbreviations, Words })
        {
            foreach (string name in names)
            {
                foreach (char c in name + name.ToLowerInvariant() + name.ToUpperInvariant())
                    chars.Add(c);
            }
        }
        var sb = new StringBuilder(chars.Count);
        foreach (char c in chars)
            sb.Append(c);
        return sb.ToString();
    }
}
