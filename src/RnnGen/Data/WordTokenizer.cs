using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace RnnGen.Data;

/// <summary>
/// A simple Unicode-aware word tokenizer: a word is a run of letters, marks, digits and connector
/// punctuation (<c>_</c>), an apostrophe (' or ’) between two such characters stays inside the word
/// ("don't"); every other non-space character (punctuation, symbols, emoji) is a token of its own;
/// white space separates. Optional lower-casing (invariant culture). Works on code points (runes),
/// so characters outside the BMP are never split.
/// </summary>
public sealed class WordTokenizer
{
    public WordTokenizer(bool lowerCase = true) => LowerCase = lowerCase;

    public bool LowerCase { get; }

    /// <summary>The tokens of <paramref name="text"/>.</summary>
    public List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        Tokenize(text, tokens);
        return tokens;
    }

    /// <summary>Appends the tokens of <paramref name="text"/> to <paramref name="tokens"/>.</summary>
    public void Tokenize(string text, List<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(tokens);
        if (LowerCase) text = text.ToLowerInvariant();
        int wordStart = -1, i = 0;
        while (i < text.Length)
        {
            Rune rune = RuneAt(text, i);
            int width = rune.Utf16SequenceLength;
            if (IsWordRune(rune))
            {
                if (wordStart < 0) wordStart = i;
            }
            else if (wordStart >= 0 && IsApostrophe(rune) && i + width < text.Length && IsWordRune(RuneAt(text, i + width)))
            {
                // inside a word: keep going
            }
            else
            {
                if (wordStart >= 0)
                {
                    tokens.Add(text.Substring(wordStart, i - wordStart));
                    wordStart = -1;
                }
                if (!Rune.IsWhiteSpace(rune))
                    tokens.Add(text.Substring(i, width));
            }
            i += width;
        }
        if (wordStart >= 0)
            tokens.Add(text.Substring(wordStart));
    }

    internal static Rune RuneAt(string text, int index)
        => Rune.TryGetRuneAt(text, index, out Rune rune) ? rune : Rune.ReplacementChar;

    private static bool IsApostrophe(Rune rune) => rune.Value is '\'' or '\u2019';

    private static bool IsWordRune(Rune rune)
    {
        switch (Rune.GetUnicodeCategory(rune))
        {
            case UnicodeCategory.UppercaseLetter:
            case UnicodeCategory.LowercaseLetter:
            case UnicodeCategory.TitlecaseLetter:
            case UnicodeCategory.ModifierLetter:
            case UnicodeCategory.OtherLetter:
            case UnicodeCategory.NonSpacingMark:
            case UnicodeCategory.SpacingCombiningMark:
            case UnicodeCategory.EnclosingMark:
            case UnicodeCategory.DecimalDigitNumber:
            case UnicodeCategory.LetterNumber:
            case UnicodeCategory.OtherNumber:
            case UnicodeCategory.ConnectorPunctuation:
                return true;
            default:
                return false;
        }
    }
}
