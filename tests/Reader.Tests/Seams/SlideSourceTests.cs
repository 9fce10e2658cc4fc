using Reader.Core;
using Reader.Core.Sources;
using Reader.SlideWriter;
using Reader.Tests.Infrastructure;
using Reader.Tests.Read;

namespace Reader.Tests.Seams;

/// <summary>The byte-source seam: memory and stream sources read like files; ranged reads merge, order and fail as documented.</summary>
public sealed class SlideSourceTests
{
    public static TheoryData<string> Kinds => SyntheticSlides.Names;

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Memory_and_stream_sources_give_the_file_s_regions(string kind)
    {
        string path = TestSlides.Get(SyntheticSlides.Kinds[kind]);
        byte[] bytes = File.ReadAllBytes(path);
        using Slide byPath = Slide.Open(path);
        using Slide inMemory = Slide.Open(SlideSource.FromMemory(bytes, "memory copy"));
        using Slide fromStream = Slide.Open(SlideSource.FromStream(new MemoryStream(bytes, writable: false)));
        Assert.Equal(byPath.Properties, inMemory.Properties);
        Assert.Equal(byPath.Properties, fromStream.Properties);
        var random = new Random(kind.Length * 31);
        for (int level = 0; level < byPath.Levels.Count; level++)
        {
            SlideLevel l = byPath.Levels[level];
            for (int i = 0; i < 12; i++)
            {
                int w = random.Next(1, 300), h = random.Next(1, 300);
                long x = (long)(random.Next(-50, (int)l.Width) * l.Downsample), y = (long)(random.Next(-50, (int)l.Height) * l.Downsample);
                byte[] expected = byPath.ReadRegion(x, y, level, w, h);
                Assert.Equal(expected, inMemory.ReadRegion(x, y, level, w, h));
                Assert.Equal(expected, fromStream.ReadRegion(x, y, level, w, h));
            }
        }
    }

    [Fact]
    public void A_real_svs_from_a_stream_equals_the_file()
    {
        string path = FixtureFiles.Real("CMU-1-Small-Region.svs");
        using Slide byPath = Slide.Open(path);
        using FileStream stream = File.OpenRead(path);
        using Slide fromStream = Slide.Open(SlideSource.FromStream(stream, leaveOpen: true));
        Assert.Equal(byPath.Properties, fromStream.Properties);
        Assert.Equal(byPath.AssociatedImageNames, fromStream.AssociatedImageNames);
        Assert.Equal(byPath.ReadRegion(100, 200, 0, 700, 500), fromStream.ReadRegion(100, 200, 0, 700, 500));
        Assert.Equal(byPath.ReadAssociatedImage("thumbnail"), fromStream.ReadAssociatedImage("thumbnail"));
        Assert.True(stream.CanRead, "leaveOpen keeps the caller's stream");
    }

    [Fact]
    public void Stream_source_serialises_concurrent_readers()
    {
        string path = TestSlides.Get(SyntheticSlides.Kinds["jpeg-420-256"]);
        using Slide byPath = Slide.Open(path, new SlideOptions { CacheCapacity = 0 });
        using Slide fromStream = Slide.Open(SlideSource.FromStream(new MemoryStream(File.ReadAllBytes(path))), new SlideOptions { CacheCapacity = 0 });
        Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            long x = (i * 97) % 900, y = (i * 53) % 600;
            Assert.Equal(byPath.ReadRegion(x, y, 0, 128, 96), fromStream.ReadRegion(x, y, 0, 128, 96));
        });
    }

    [Fact]
    public void Stream_source_needs_a_seekable_readable_stream()
    {
        using var pipe = new System.IO.Pipes.AnonymousPipeServerStream();
        Assert.Throws<ArgumentException>(() => SlideSource.FromStream(pipe));
    }

    [Fact]
    public void A_slide_disposes_its_source_unless_told_to_leave_it_open()
    {
        byte[] bytes = File.ReadAllBytes(TestSlides.Get(SyntheticSlides.Kinds["deflate-predictor"]));
        SlideSource owned = SlideSource.FromMemory(bytes);
        Slide.Open(owned).Dispose();
        Assert.True(owned.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => owned.Read(0, new byte[4]));

        using SlideSource kept = SlideSource.FromMemory(bytes);
        Slide.Open(kept, leaveOpen: true).Dispose();
        Assert.False(kept.IsDisposed);
        using Slide again = Slide.Open(kept, leaveOpen: true);
        Assert.Equal(700, again.Levels[0].Width);
    }

    [Fact]
    public void File_source_lists_and_opens_its_siblings()
    {
        string folder = Path.Combine(TestSlides.TempFolder, "siblings-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "b.dcm"), [1, 2, 3]);
        File.WriteAllBytes(Path.Combine(folder, "a.dcm"), [4, 5]);
        using SlideSource a = SlideSource.OpenFile(Path.Combine(folder, "a.dcm"));
        ISiblingResolver siblings = a.Siblings!;
        Assert.Equal(["a.dcm", "b.dcm"], siblings.List());
        using SlideSource b = siblings.Open("b.dcm");
        Assert.Equal(3, b.Length);
        Assert.Throws<ArgumentException>(() => siblings.Open("../b.dcm"));
        Assert.Null(SlideSource.FromMemory(new byte[1]).Siblings);
    }

    [Fact]
    public void Quickhash_is_remembered_per_file_content_and_recomputed_when_the_file_changes()
    {
        string source = TestSlides.Get(SyntheticSlides.Kinds["jpeg-gray-256"]);
        string path = TestSlides.NewPath("rehash.tif");
        File.Copy(source, path);
        string first, again;
        using (Slide a = Slide.Open(path))
        {
            first = a.Properties["openslide.quickhash-1"];
        }

        using (Slide b = Slide.Open(path))
        {
            again = b.Properties["openslide.quickhash-1"];
        }

        Assert.Equal(first, again);
        using (Slide fromMemory = Slide.Open(SlideSource.FromMemory(File.ReadAllBytes(path))))
        {
            Assert.Equal(first, fromMemory.Properties["openslide.quickhash-1"]); // no identity: hashed afresh, same value
        }

        // Same length, other bytes in a hashed string tag, a later write time: hashed again.
        byte[] bytes = File.ReadAllBytes(path);
        int at = bytes.AsSpan().IndexOf("Reader.SlideWriter"u8);
        Assert.True(at > 0, "the writer's Software tag names it");
        bytes[at] = (byte)'X';
        File.WriteAllBytes(path, bytes);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
        using Slide changed = Slide.Open(path);
        Assert.NotEqual(first, changed.Properties["openslide.quickhash-1"]);
    }

    [Fact]
    public void Missing_file_is_a_slide_exception_naming_it()
    {
        var e = Assert.Throws<SlideException>(() => SlideSource.OpenFile("/nonexistent/slide.svs"));
        Assert.Equal("slide.svs: directory not found", e.Message);
        Assert.Equal("/nonexistent/slide.svs", e.FilePath);
    }

    [Fact]
    public void Read_exactly_past_the_end_is_corrupt_naming_the_source_and_offset()
    {
        using SlideSource source = SlideSource.FromMemory(new byte[100], "short.bin");
        var e = Assert.Throws<CorruptSlideException>(() => source.ReadExactly(90, new byte[20]));
        Assert.Contains("short.bin", e.Message, StringComparison.Ordinal);
        Assert.Contains("20 bytes at offset 90", e.Message, StringComparison.Ordinal);
        Assert.Equal(10, source.Read(90, new byte[20]));
        Assert.Equal(0, source.Read(100, new byte[20]));
    }
}
