using RnnGen.Kernels;

namespace RnnGen.Tests.Kernels;

public class SplitChooserTests
{
    [Fact]
    public void Tries_both_ways_then_uses_the_faster_and_reprobes_the_other()
    {
        // A shape no model uses, so other tests' layer calls do not share the slot.
        const int G = 7, H = 12_345, I = 9_871;
        int splits = 0;
        for (int call = 0; call < 16; call++)
        {
            bool split = SplitChooser.ShouldSplit(G, H, I, out int slot);
            Assert.Equal(call % 2 == 0, split); // warm-up alternates
            if (split) splits++;
            SplitChooser.Record(slot, split, split ? 1_000 : 3_000, steps: 10); // the split is 3x faster
        }
        Assert.Equal(8, splits);

        int probes = 0;
        for (int call = 16; call < 16 + (4 * SplitChooser.ProbeInterval); call++)
        {
            bool split = SplitChooser.ShouldSplit(G, H, I, out int slot);
            if (!split) probes++;
            SplitChooser.Record(slot, split, split ? 1_000 : 3_000, steps: 10);
        }
        Assert.Equal(4, probes); // one call in ProbeInterval re-tries one core

        // Conditions change: the split becomes 3x slower than one core. Within a few probes the chooser moves over.
        int singlesAtTheEnd = 0;
        for (int call = 0; call < 8 * SplitChooser.ProbeInterval; call++)
        {
            bool split = SplitChooser.ShouldSplit(G, H, I, out int slot);
            SplitChooser.Record(slot, split, split ? 9_000 : 3_000, steps: 10);
            if (call >= 7 * SplitChooser.ProbeInterval && !split) singlesAtTheEnd++;
        }
        Assert.Equal(SplitChooser.ProbeInterval - 1, singlesAtTheEnd); // one core, but for the one probe of the split
    }
}
