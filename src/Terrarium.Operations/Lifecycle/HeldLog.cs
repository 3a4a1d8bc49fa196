namespace Terrarium.Operations.Lifecycle;

/// <summary>
/// Progress lines held back while a join can still be refused: a refusal's reason is then the first line the operator
/// reads, and the lines about what was undone are dropped; any other outcome prints them all, in order.
/// </summary>
public sealed class HeldLog(Action<string> sink)
{
    private List<string>? _held;

    public void Write(string line)
    {
        lock (this)
        {
            if (_held is null) sink(line);
            else _held.Add(line);
        }
    }

    public void Hold()
    {
        lock (this) _held ??= [];
    }

    public void Release()
    {
        lock (this)
        {
            var held = _held;
            _held = null;
            foreach (var line in held ?? []) sink(line);
        }
    }

    public void Drop()
    {
        lock (this) _held = null;
    }
}
