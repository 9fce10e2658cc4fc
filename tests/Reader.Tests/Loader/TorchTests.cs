using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Reader.Loader;
using Reader.SlideWriter;
using Reader.Tests.Infrastructure;
using Reader.Torch;
using TorchSharp;

namespace Reader.Tests.Loader;

/// <summary>
/// The TorchSharp adapter (the registry's CPU build, made to run on Debian 12's libstdc++): tensors equal the batch
/// they came from, and the training example runs and its loss falls.
/// </summary>
public sealed partial class TorchTests
{
    [Fact]
    public void Tensors_hold_the_batch_pixels_labels_and_the_host_transform()
    {
        var slides = new List<SlideEntry>
        {
            new(TestSlides.Get(new SyntheticSlideSpec { Width = 2048, Height = 2048, Levels = 2, Seed = 41, Quality = 90 }), "p"),
            new(TestSlides.Get(new SyntheticSlideSpec { Width = 2048, Height = 2048, Levels = 2, Seed = 42, Quality = 90 }), "q"),
        };
        using var dataset = new SlideDataset(slides, new LoaderOptions
        {
            Patch = new PatchShape { Width = 40, Height = 40, Level = 1 },
            Sampling = new SamplingOptions { Mode = SamplingMode.Random, PatchesPerSlide = 10, Seed = 2 },
            BatchSize = 8,
            Workers = 2,
        });
        var transform = new DeviceTransform { RandomFlips = true, RandomRotations = true, Seed = 3 };
        foreach (LoaderBatch batch in dataset.Batches(1, TestContext.Current.CancellationToken))
        {
            using (batch)
            {
                using torch.Tensor bytes = TorchBatches.ImagesAsBytes(batch);
                Assert.Equal([batch.Count, 40, 40, 3], bytes.shape);
                Assert.Equal(batch.Data.ToArray(), bytes.data<byte>().ToArray());
                using torch.Tensor labels = TorchBatches.Labels(batch);
                Assert.Equal(batch.Labels.Select(l => (long)l), labels.data<long>().ToArray());
                using torch.Tensor floats = TorchBatches.ImagesAsFloat(batch, transform, epoch: 1);
                Assert.Equal([batch.Count, 3, 40, 40], floats.shape);
                int[] codes = [.. Enumerable.Range(0, batch.Count).Select(i => transform.CodeOf(1, batch.First + i))];
                var expected = new float[batch.Count * 3 * 40 * 40];
                transform.ApplyOnHost(batch.Data.Span, batch.Count, 40, 40, 3, codes, expected, default);
                Assert.Equal(expected, floats.data<float>().ToArray());
            }
        }
    }

    [Fact]
    public async Task The_training_example_runs_and_its_loss_falls()
    {
        string example = Path.Combine(FixtureFiles.RepositoryRoot, "examples", "Train", "bin", "Release", "net10.0", "Train.dll");
        Assert.True(File.Exists(example), $"{example} is built with the solution (./build.sh build)");
        var start = new ProcessStartInfo("dotnet", [example, "30"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        string output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(limit.Token);
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {await error}");
        double[] losses = [.. StepLine().Matches(output).Select(m => double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture))];
        Assert.Equal(30, losses.Length);
        double first = losses.Take(5).Average(), last = losses.TakeLast(5).Average();
        Assert.True(last < first * 0.8, $"loss {first:F3} over the first 5 steps, {last:F3} over the last 5");
    }

    [GeneratedRegex(@"^step (\d+) loss ([0-9.]+)$", RegexOptions.Multiline)]
    private static partial Regex StepLine();
}
