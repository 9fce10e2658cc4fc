using System.CommandLine;
using Reader.Gpu.Accelerators;

namespace Reader.Bench.GpuStudy;

/// <summary>The gpu-study command line (in Reader.Bench, and alone in Reader.DeviceCheck).</summary>
internal static class GpuStudyCommand
{
    public static Command Create()
    {
        var defaults = new GpuStudyOptions();
        var slide = new Option<string?>("--slide") { Description = "a slide to read instead of generating the study slide" };
        var scale = new Option<double>("--scale") { Description = "scale of the study geometry (1 = 92344 x 81017, tile 256, Q95)", DefaultValueFactory = _ => defaults.Scale };
        var cache = new Option<string?>("--cache") { Description = "folder for the generated slide (default ~/.cache/wsi-reader)" };
        var output = new Option<string?>("--out") { Description = "results folder (default bench/results/gpu-study-<date>)" };
        var accelerator = new Option<GpuAcceleratorKind>("--accelerator") { Description = "Auto, Cuda, OpenCL or Cpu (ILGPU's CPU accelerator, not a GPU)", DefaultValueFactory = _ => defaults.Accelerator };
        var batch = new Option<int>("--batch") { Description = "patches per device batch (default 1024 on a GPU, 64 on the CPU accelerator)" };
        var check = new Option<int>("--check") { Description = "patches compared bit-exact, GPU path vs CPU path", DefaultValueFactory = _ => defaults.CheckPatches };
        var workers = new Option<int>("--workers") { Description = "workers of every path", DefaultValueFactory = _ => defaults.Workers };
        var reference = new Option<double>("--reference-fraction") { Description = "fraction of the patches OpenSlide and raw libjpeg-turbo read", DefaultValueFactory = _ => defaults.ReferenceFraction };
        var phase = new Option<double>("--phase-fraction") { Description = "fraction of the timed patches the synchronized phase pass reads", DefaultValueFactory = _ => defaults.PhaseFraction };
        var fraction = new Option<double>("--fraction") { Description = "fraction of the aligned patches the GPU and CPU passes time (1 = all)", DefaultValueFactory = _ => defaults.Fraction };
        var command = new Command("gpu-study", "the GPU device check in one run: generate the study slide, check GPU vs CPU bit-exact, time GPU, CPU, OpenSlide and raw libjpeg-turbo");
        foreach (Option o in new Option[] { slide, scale, cache, output, accelerator, batch, check, workers, reference, phase, fraction })
        {
            command.Options.Add(o);
        }

        command.SetAction(p => GpuStudyRunner.Run(
            new GpuStudyOptions
            {
                SlidePath = p.GetValue(slide),
                Scale = p.GetValue(scale),
                CacheFolder = p.GetValue(cache),
                OutputFolder = p.GetValue(output) ?? defaults.OutputFolder,
                Accelerator = p.GetValue(accelerator),
                BatchSize = p.GetValue(batch),
                CheckPatches = p.GetValue(check),
                Workers = p.GetValue(workers),
                ReferenceFraction = p.GetValue(reference),
                PhaseFraction = p.GetValue(phase),
                Fraction = p.GetValue(fraction),
            },
            Console.Out));
        return command;
    }
}
