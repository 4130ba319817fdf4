using System.Diagnostics;
using System.Text;

namespace Fleet.IntegrationTests.Infrastructure;

/// <summary>A real process started by a test, with its output kept for failure messages.</summary>
internal sealed class ExternalProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ExternalProcess(Process process)
    {
        _process = process;
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int Id => _process.Id;

    public int ExitCode => _process.ExitCode;

    public static ExternalProcess Start(string fileName, params string[] arguments) => Start(fileName, new Dictionary<string, string>(), arguments);

    public static ExternalProcess Start(string fileName, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var started = new ExternalProcess(process);
        process.OutputDataReceived += (_, e) => started.Append(e.Data);
        process.ErrorDataReceived += (_, e) => started.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    /// <summary>Runs a command to its end and returns its exit code and combined output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string fileName, TimeSpan timeout, params string[] arguments)
    {
        await using var process = Start(fileName, arguments);
        using var cts = new CancellationTokenSource(timeout);
        await process._process.WaitForExitAsync(cts.Token);
        process._process.WaitForExit(); // flushes the asynchronous output readers
        return (process._process.ExitCode, process.Output);
    }

    /// <summary>Sends a signal (TERM for a graceful stop, KILL for a crash) and waits for the exit.</summary>
    public async Task<int> SignalAndWaitAsync(string signal, TimeSpan timeout)
    {
        var (code, output) = await RunAsync("kill", TimeSpan.FromSeconds(10), $"-{signal}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(code == 0, $"kill -{signal} {_process.Id}: {output}");
        return await WaitForExitAsync(timeout);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"{_process.StartInfo.FileName} did not exit within {timeout}; output:\n{Output}");
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
