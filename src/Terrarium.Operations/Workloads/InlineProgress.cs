namespace Terrarium.Operations.Workloads;

/// <summary>IProgress that reports on the calling thread (Progress&lt;T&gt; posts later and may reorder).</summary>
public sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
