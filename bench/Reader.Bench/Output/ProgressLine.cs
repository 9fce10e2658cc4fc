using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace Reader.Bench.Output;

/// <summary>
/// Progress of the benches (configuration, done/total, rate, ETA). On a terminal, Spectre.Console's live progress
/// display, one bar per configuration; otherwise (a log, a pipe, CI) one plain line every 5 seconds and one at the
/// end of each configuration, with no carriage returns and no escape codes.
/// </summary>
internal sealed class ProgressLine : IDisposable
{
    private readonly TextWriter console;
    private readonly bool enabled;
    private readonly Stopwatch watch = new();
    private readonly Lock gate = new();
    private readonly TaskCompletionSource stop = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task? display;
    private readonly ProgressContext? context;
    private ProgressTask? current;
    private string label = string.Empty;
    private int total;
    private long lastPrint;

    public ProgressLine(TextWriter console, bool enabled, bool interactive)
    {
        this.console = console;
        this.enabled = enabled;
        if (enabled && interactive)
        {
            var ready = new TaskCompletionSource<ProgressContext>(TaskCreationOptions.RunContinuationsAsynchronously);
            display = AnsiConsole.Progress()
                .AutoClear(false)
                .HideCompleted(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(async ctx =>
                {
                    ready.SetResult(ctx);
                    await stop.Task.ConfigureAwait(false);
                });
            context = ready.Task.GetAwaiter().GetResult();
        }
    }

    public void Begin(string what, int count)
    {
        label = what;
        total = count;
        watch.Restart();
        lastPrint = 0;
        if (context is not null)
        {
            current = context.AddTask(Markup.Escape(what), maxValue: Math.Max(1, count));
        }
    }

    public void Report(int done)
    {
        if (!enabled)
        {
            return;
        }

        if (current is not null)
        {
            current.Value = done;
            return;
        }

        if (watch.ElapsedMilliseconds - Interlocked.Read(ref lastPrint) < 5000)
        {
            return;
        }

        lock (gate)
        {
            lastPrint = watch.ElapsedMilliseconds;
            double rate = done / Math.Max(1e-9, watch.Elapsed.TotalSeconds);
            double eta = rate > 0 ? (total - done) / rate : 0;
            console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label}: {done}/{total} patches, {rate:F0}/s, ETA {eta:F0} s"));
        }
    }

    public void Finish(string line)
    {
        if (current is not null)
        {
            current.Description = Markup.Escape(line);
            current.Value = current.MaxValue;
            current.StopTask();
            current = null;
            return;
        }

        lock (gate)
        {
            console.WriteLine(line);
        }
    }

    public void Dispose()
    {
        stop.TrySetResult();
        display?.GetAwaiter().GetResult();
    }
}
