using Reader.Core;
using Reader.Native;

namespace Reader.Tests.Hostile;

/// <summary>
/// Every mangled DICOM series through open, properties, associated images, ReadRegion on every level and the batch
/// API, with both decoder backends: the expected outcome, only typed SlideExceptions naming the file, no hang, no
/// large allocation.
/// </summary>
[Collection(nameof(HostileFilesRunAlone))]
public class DicomMangledFileTests
{
    private const long AllocationBudget = 400L << 20;
    private static readonly Dictionary<string, DicomMangleCase> Cases = DicomMangledCases.All().ToDictionary(c => c.Name);

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Fact]
    public void The_dicom_catalogue_covers_at_least_30_cases()
    {
        Assert.True(Cases.Count >= 30, $"only {Cases.Count} cases");
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Mangled_dicom_series_has_its_expected_outcome(string name)
    {
        DicomMangleCase c = Cases[name];
        string path = DicomMangledCases.WriteMangled(c);
        string original = Path.Combine(Dicom.TestDicom.Folder(DicomMangledCases.Bases[c.Base]), "level_0.dcm");
        foreach (DecoderBackend backend in NativeShim.IsAvailable ? new[] { DecoderBackend.Native, DecoderBackend.Managed } : [DecoderBackend.Managed])
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            Task<MangledFileTests.Outcome> run = Task.Run(() => MangledFileTests.Exercise(path, original, backend, c.Expect), TestContext.Current.CancellationToken);
            Task finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken));
            Assert.True(finished == run, $"{name} ({backend}): did not finish in 60 s (a hang)");
            long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
            long budget = AllocationBudget + (c.Name.Contains("MiB", StringComparison.Ordinal) ? 64L << 20 : 0); // the file itself is read once
            Assert.True(allocated < budget, $"{name} ({backend}): allocated {allocated >> 20} MiB");
            MangledFileTests.Judge(name, backend, c.Expect, await run, ".dcm");
        }
    }
}
