using System.Text.Json;
using System.Text.Json.Serialization;
using Terrarium.Cluster.Layout;
using Terrarium.Cluster.Placement;
using Terrarium.Host.Files;

namespace Terrarium.Operations.Workloads;

/// <summary>
/// X-3 for `cluster evacuate` and `cluster remove --move`: the instances a run is moving off a member, each with whether
/// it was running, kept on the server that runs the command (journal/move-off-MEMBER.json; no LXD writes, which every
/// agent would read again). LXD finishes a transfer without the command that started it, so a run killed half-way
/// leaves instances stopped on the member or stopped where LXD put them; the next run on this server reads the journal
/// and finishes them (<see cref="MoveOff"/>).
/// </summary>
public sealed class MoveOffJournal
{
    private readonly string _path;
    private readonly MoveOffJournalState _state;
    private readonly Lock _gate = new(); // moves run in parallel; the file is rewritten whole

    private MoveOffJournal(string path, MoveOffJournalState state) => (_path, _state) = (path, state);

    public static string PathOf(NodeLayout layout, string member) => Path.Join(layout.JournalDir, $"move-off-{member}.json");

    /// <summary>The journal of an earlier run for <paramref name="member"/> (empty when none, or unreadable).</summary>
    public static MoveOffJournal Open(NodeLayout layout, string member)
    {
        var path = PathOf(layout, member);
        MoveOffJournalState? state = null;
        try
        {
            state = JsonSerializer.Deserialize(File.ReadAllText(path), OperationsJsonContext.Default.MoveOffJournalState);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            // None, or torn by a crash mid-write (AtomicFile renames, so only a hand-edited one): start afresh.
        }
        return new MoveOffJournal(path, state ?? new MoveOffJournalState { Member = member });
    }

    /// <summary>Instances an interrupted run left to finish.</summary>
    public IReadOnlyList<InstanceRef> Pending
    {
        get
        {
            lock (_gate) return _state.Instances.Select(i => InstanceRef.Of(i.Project, i.Name)).ToList();
        }
    }

    public bool WasRunning(InstanceRef i)
    {
        lock (_gate) return Find(i)?.Running == true;
    }

    /// <summary>Records the instances about to move; one already recorded keeps what it was (a run that stopped it knew it ran).</summary>
    public void Begin(IEnumerable<(InstanceRef Instance, bool Running)> moving)
    {
        lock (_gate)
        {
            foreach (var (i, running) in moving)
                if (Find(i) is null) _state.Instances.Add(new MovingInstance { Project = i.Project, Name = i.Name, Running = running });
            Save();
        }
    }

    /// <summary>The instance is where it belongs and as it was (moved, origin recorded, running again if it ran).</summary>
    public void Done(InstanceRef i)
    {
        lock (_gate)
        {
            if (Find(i) is not { } entry) return;
            _state.Instances.Remove(entry);
            Save();
        }
    }

    /// <summary>The operation finished: nothing left to resume.</summary>
    public static void Delete(NodeLayout layout, string member) => DeleteFile(PathOf(layout, member));

    private static void DeleteFile(string path)
    {
        if (File.Exists(path)) File.Delete(path);
    }

    private MovingInstance? Find(InstanceRef i) => _state.Instances.FirstOrDefault(x => InstanceRef.Of(x.Project, x.Name) == i);

    private void Save()
    {
        if (_state.Instances.Count == 0) DeleteFile(_path);
        else AtomicFile.WriteIfChanged(_path, JsonSerializer.Serialize(_state, OperationsJsonContext.Default.MoveOffJournalState), AtomicFile.SecretMode);
    }
}

public sealed class MoveOffJournalState
{
    [JsonPropertyName("member")] public string Member { get; set; } = "";
    [JsonPropertyName("instances")] public List<MovingInstance> Instances { get; set; } = [];
}

public sealed class MovingInstance
{
    [JsonPropertyName("project")] public string Project { get; set; } = "";
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("running")] public bool Running { get; set; }
}
