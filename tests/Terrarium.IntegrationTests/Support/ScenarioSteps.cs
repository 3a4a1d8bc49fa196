using System.Runtime.CompilerServices;

namespace Terrarium.IntegrationTests.Support;

/// <summary>
/// How the steps of an ordered scenario ended. A step that builds on one that failed says so and does not run,
/// instead of failing with an error of its own that hides the first one.
/// </summary>
public sealed class ScenarioSteps
{
    private string? _failed;

    /// <summary>What the lab can say about a failure (its daemons' recent logs), appended to the first failure.</summary>
    public Func<string>? Diagnose { get; set; }

    public async Task RunAsync(Func<Task> body, [CallerMemberName] string step = "")
    {
        if (_failed is not null)
            Assert.Fail($"Not run: this step builds on {_failed}, which failed (its error is reported with it).");
        try
        {
            await body();
        }
        catch (Exception e) when (_failed is null && Diagnose is not null)
        {
            _failed = step;
            throw new Xunit.Sdk.XunitException($"{e.Message}\n--- the lab's logs when it failed ---\n{Diagnose()}\n--- the failure ---\n{e.StackTrace}");
        }
        catch
        {
            _failed ??= step;
            throw;
        }
    }
}
