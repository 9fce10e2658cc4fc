using Reader.Core;
using Reader.Core.Sources;
using Reader.Tests.Hostile;

namespace Reader.Tests.Seams;

/// <summary>
/// Every mangled file opened from memory and from a stream fails (or succeeds) exactly as it does from its path:
/// the byte-source seam changes where bytes come from, never what a damaged file does.
/// </summary>
public sealed class MangledSourceTests
{
    private static readonly Dictionary<string, MangleCase> Cases = MangledCases.All().ToDictionary(c => c.Name);

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Memory_and_stream_sources_fail_like_the_file(string name)
    {
        string path = MangledCases.WriteMangled(Cases[name]);
        byte[] bytes = File.ReadAllBytes(path);
        string byPath = Open(() => Slide.Open(path));
        Assert.Equal(byPath, Open(() => Slide.Open(SlideSource.FromMemory(bytes, Path.GetFileName(path)))));
        Assert.Equal(byPath, Open(() => Slide.Open(SlideSource.FromStream(new MemoryStream(bytes), Path.GetFileName(path)))));
    }

    /// <summary>The outcome of an open: the exception's type and message, or the levels and properties of the slide.</summary>
    private static string Open(Func<Slide> open)
    {
        try
        {
            using Slide slide = open();
            return $"opened: {string.Join(", ", slide.Levels.Select(l => $"{l.Width}x{l.Height}"))}; {string.Join("; ", slide.Properties.Select(p => p.Key + "=" + p.Value))}";
        }
        catch (SlideException e)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }
}
