using System.Text.Json;
using Reader.Core;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Dicom;

/// <summary>
/// The real DICOM fixtures against OpenSlide 4.0.1's recorded properties (Conformance/OpenSlide4/regions.json): every
/// dicom.* property equal, not only the 95% the general conformance test asks (levels and regions are compared there).
/// </summary>
public class DicomFixtureTests
{
    [Theory]
    [InlineData("openslide-python_boxes_0.dcm")]
    [InlineData("openslide-python_boxes_1.dcm")]
    public void Every_dicom_property_equals_OpenSlide_4_0_1s(string name)
    {
        string path = FixtureFiles.Real(name);
        string json = Path.Combine(FixtureFiles.RepositoryRoot, "tests", "Reader.Tests", "Conformance", "OpenSlide4", "regions.json");
        using JsonDocument reference = JsonDocument.Parse(File.ReadAllText(json));
        var theirs = reference.RootElement.GetProperty("fixtures").GetProperty(name).GetProperty("properties").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        using var slide = Slide.Open(path);
        string[] keys = [.. theirs.Keys.Union(slide.Properties.Keys).Where(k => k.StartsWith("dicom.", StringComparison.Ordinal))];
        string[] differing = [.. keys.Where(k => theirs.GetValueOrDefault(k) != slide.Properties.GetValueOrDefault(k))];
        Assert.True(differing.Length == 0, $"{name}: {keys.Length - differing.Length} of {keys.Length} dicom.* properties equal; differing: " + string.Join("; ", differing.Select(k => $"{k}: ours '{slide.Properties.GetValueOrDefault(k)}', theirs '{theirs.GetValueOrDefault(k)}'")));
        Assert.Equal(150, keys.Length);
    }

    [Fact]
    public void The_two_boxes_instances_are_one_series_whichever_is_opened()
    {
        using var a = Slide.Open(FixtureFiles.Real("openslide-python_boxes_0.dcm"));
        using var b = Slide.Open(FixtureFiles.Real("openslide-python_boxes_1.dcm"));
        Assert.Equal(a.Properties, b.Properties);
        Assert.Equal(["thumbnail"], a.AssociatedImageNames);
        Assert.Equal(a.ReadAssociatedImage("thumbnail"), b.ReadAssociatedImage("thumbnail"));
    }
}
