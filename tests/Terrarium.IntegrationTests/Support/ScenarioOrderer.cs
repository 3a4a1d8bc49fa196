using Xunit.Abstractions;
using Xunit.Sdk;

namespace Terrarium.IntegrationTests.Support;

/// <summary>
/// Runs a scenario class's tests in method-name order (S01_, S02_, ...): each step builds on the cluster the
/// previous steps made, as an operator's session would.
/// </summary>
public sealed class ScenarioOrderer : ITestCaseOrderer
{
    public const string Name = "Terrarium.IntegrationTests.Support.ScenarioOrderer";
    public const string Assembly = "Terrarium.IntegrationTests";

    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases) where TTestCase : ITestCase =>
        testCases.OrderBy(t => t.TestMethod.Method.Name, StringComparer.Ordinal);
}
