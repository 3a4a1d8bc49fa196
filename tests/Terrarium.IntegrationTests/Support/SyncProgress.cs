namespace Terrarium.IntegrationTests.Support;

/// <summary>IProgress that runs the callback inline (Progress&lt;T&gt; posts it later, which races the assert).</summary>
public sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
