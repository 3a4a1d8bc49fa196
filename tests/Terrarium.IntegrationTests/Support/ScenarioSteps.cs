using System.Reflection;
using System.Runtime.CompilerServices;

namespace Terrarium.IntegrationTests.Support;

/// <summary>
/// The steps a scenario step builds on. A step marked <c>[Needs(nameof(S01_…))]</c> runs unless one of those failed
/// or could not run; <c>[Needs]</c> with no names runs whatever failed before it. A step without the attribute builds
/// on every earlier step.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NeedsAttribute(params string[] steps) : Attribute
{
    public IReadOnlyList<string> Steps { get; } = steps;
}

/// <summary>
/// How the steps of an ordered scenario ended. A step whose needs failed says which and does not run, instead of
/// failing with an error of its own that hides the first one; the first real failure carries the lab's logs.
/// </summary>
public sealed class ScenarioSteps
{
    private readonly List<string> _failed = [];
    private bool _diagnosed;

    /// <summary>Each step method of this assembly by name, with what it needs (null: every earlier step).</summary>
    /// Two scenarios may share a step name only when they declare the same needs.
    private static readonly Lazy<Dictionary<string, string[]?>> StepNeeds = new(() => typeof(ScenarioSteps).Assembly.GetTypes()
        .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
        .Where(m => m.GetCustomAttribute<FactAttribute>() is not null)
        .GroupBy(m => m.Name)
        .ToDictionary(g => g.Key, g => g.Select(m => m.GetCustomAttribute<NeedsAttribute>()?.Steps.ToArray())
            .DistinctBy(n => n is null ? null : string.Join(',', n)).Single()));

    /// <summary>What the lab can say about a failure (its daemons' recent logs), appended to the first failure.</summary>
    public Func<string>? Diagnose { get; set; }

    public async Task RunAsync(Func<Task> body, [CallerMemberName] string step = "")
    {
        var blocking = Blocking(step);
        if (blocking.Count > 0)
        {
            _failed.Add(step);
            Assert.Fail($"Not run: this step needs {string.Join(", ", blocking)}, which did not pass (its error is reported with it).");
        }
        try
        {
            await body();
        }
        catch (Exception e) when (!_diagnosed && Diagnose is not null)
        {
            _failed.Add(step);
            _diagnosed = true;
            throw new Xunit.Sdk.XunitException($"{e.Message}\n--- the lab's logs when it failed ---\n{Diagnose()}\n--- the failure ---\n{e.StackTrace}");
        }
        catch
        {
            _failed.Add(step);
            throw;
        }
    }

    /// <summary>The failed or skipped steps that <paramref name="step"/> needs.</summary>
    private List<string> Blocking(string step)
    {
        var needs = StepNeeds.Value.GetValueOrDefault(step);
        return needs is null ? [.. _failed] : [.. _failed.Where(needs.Contains)];
    }
}
