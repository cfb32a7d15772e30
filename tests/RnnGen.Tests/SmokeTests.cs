namespace RnnGen.Tests; public class SmokeTests { [Fact] public void Loads() => Assert.Equal(4, RnnGen.Kernels.LstmLayer.Gates); }
