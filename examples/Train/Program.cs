using System.Globalization;
using System.Text;
using Reader.Loader;
using Reader.SlideWriter;
using Reader.Torch;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

// Trains a tiny CNN to tell tissue from glass on generated slides, through the loader: a manifest, annotations,
// class-balanced random sampling, host batches, TorchSharp tensors. Prints one "step N loss X" line per step.
TorchRuntime.Initialize(); // before the first torch call: lets the registry's TorchSharp run on Debian 12's libstdc++
int steps = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 30;
string folder = Path.Combine(Path.GetTempPath(), $"wsi-train-example-{Environment.ProcessId}");
Directory.CreateDirectory(folder);
try
{
    // Four slides, each with a GeoJSON of its tissue (cells whose centre the generator draws as tissue).
    var manifest = new StringBuilder("path,annotations\n");
    for (int s = 0; s < 4; s++)
    {
        string slide = Path.Combine(folder, $"slide{s}.tif");
        SyntheticSlideWriter.Write(slide, new SyntheticSlideSpec { Width = 2048, Height = 2048, Levels = 2, Seed = 100 + s, Quality = 85 });
        File.WriteAllText(Path.Combine(folder, $"slide{s}.geojson"), TissueCells(100 + s, 2048, 128));
        manifest.Append(CultureInfo.InvariantCulture, $"slide{s}.tif,slide{s}.geojson\n");
    }

    File.WriteAllText(Path.Combine(folder, "slides.csv"), manifest.ToString());

    using var dataset = SlideDataset.FromManifest(Path.Combine(folder, "slides.csv"), new LoaderOptions
    {
        Patch = new PatchShape { Width = 32, Height = 32, Level = 1 },
        Labelling = new AnnotationLabelling { Background = "glass" },
        Sampling = new SamplingOptions { Mode = SamplingMode.Random, PatchesPerSlide = steps * 8, Balance = Balance.Slide | Balance.Class, Seed = 1 },
        BatchSize = 32,
        Workers = 2,
    });

    torch.manual_seed(0);
    var model = Sequential(
        Conv2d(3, 8, 3, padding: 1), ReLU(), MaxPool2d(2),
        Conv2d(8, 16, 3, padding: 1), ReLU(), AdaptiveAvgPool2d(1),
        Flatten(), Linear(16, 2));
    var optimizer = optim.Adam(model.parameters(), lr: 0.005);
    var loss = CrossEntropyLoss(ignore_index: -1);
    int step = 0;
    foreach (LoaderBatch batch in dataset.Batches(epoch: 0))
    {
        using (batch)
        using (var scope = NewDisposeScope())
        {
            Tensor images = TorchBatches.ImagesAsFloat(batch);
            Tensor labels = TorchBatches.Labels(batch);
            optimizer.zero_grad();
            Tensor output = loss.forward(model.forward(images), labels);
            output.backward();
            optimizer.step();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {++step} loss {output.item<float>():F4}"));
        }

        if (step == steps)
        {
            break;
        }
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"classes: {string.Join(", ", dataset.Classes)}"));
}
finally
{
    Directory.Delete(folder, recursive: true);
}

static string TissueCells(int seed, int size, int cell)
{
    var json = new StringBuilder("{\"type\":\"FeatureCollection\",\"features\":[");
    bool first = true;
    for (int y = 0; y < size; y += cell)
    {
        for (int x = 0; x < size; x += cell)
        {
            if (!SyntheticContent.IsTissue(seed, x + (cell / 2), y + (cell / 2)))
            {
                continue;
            }

            json.Append(first ? string.Empty : ",");
            first = false;
            json.Append(CultureInfo.InvariantCulture, $"{{\"type\":\"Feature\",\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":[[[{x},{y}],[{x + cell},{y}],[{x + cell},{y + cell}],[{x},{y + cell}],[{x},{y}]]]}},\"properties\":{{\"classification\":{{\"name\":\"tissue\"}}}}}}");
        }
    }

    return json.Append("]}").ToString();
}
