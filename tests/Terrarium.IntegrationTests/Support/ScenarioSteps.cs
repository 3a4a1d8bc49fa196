using System.Runtime.CompilerServices;

namespace Terrarium.IntegrationTests.Support;

/// <summary>
/// How the steps of an ordered scenario ended. A step that builds on one that failed says so and does not run,
/// instead of failing with an error of its own that hides the first one.
/// </summary>
public sealed class ScenarioSteps
{
    private string? _failed;

    public async Task RunAsync(Func<Task> body, [CallerMemberName] string step = "")
    {
        if (_failed is not null)
            Assert.Fail($"Not run: this step builds on {_failed}, which failed (its error is reported with it).");
        try
        {
            await body();
        }
        catch
        {
            _failed ??= step;
            throw;
        }
    }
}
