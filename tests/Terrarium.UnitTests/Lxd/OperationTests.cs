using System.Text.Json;
using Terrarium.Lxd;
using Terrarium.Lxd.Wire;

namespace Terrarium.UnitTests.Lxd;

public class OperationTests
{
    [Fact]
    public void Progress_is_read_from_any_progress_metadata_field()
    {
        var op = JsonSerializer.Deserialize("""{"id":"x","status_code":103,"metadata":{"fs_progress":"rootfs: 42MB (10MB/s)"}}""", LxdJson.Info<Operation>())!;
        Assert.Equal("rootfs: 42MB (10MB/s)", LxdClient.DescribeProgress(op));
        Assert.False(op.IsFinal);
    }

    [Theory]
    [InlineData(200, true, true)]
    [InlineData(400, true, false)]
    [InlineData(401, true, false)]
    [InlineData(103, false, false)]
    public void Final_states_follow_lxd_status_codes(int code, bool final, bool ok)
    {
        var op = new Operation { StatusCode = code };
        Assert.Equal(final, op.IsFinal);
        Assert.Equal(ok, op.Succeeded);
    }

    [Fact]
    public void Lifecycle_event_exposes_action_and_source()
    {
        var ev = JsonSerializer.Deserialize("""{"type":"lifecycle","timestamp":"2026-11-25T05:00:00Z","metadata":{"action":"instance-started","source":"/1.0/instances/c1"}}""", LxdJson.Info<LxdEvent>())!;
        Assert.Equal("instance-started", ev.LifecycleAction);
        Assert.Equal("/1.0/instances/c1", ev.LifecycleSource);
    }
}

public class OperationWaitPathTests
{
    [Theory]
    [InlineData("abc", "/1.0/operations/abc/wait?timeout=1")]
    [InlineData("/1.0/operations/abc", "/1.0/operations/abc/wait?timeout=1")]
    // Incus names a project's operation with its project (the failure it caused: a GET of the operation, busy-polled until it was gone).
    [InlineData("/1.0/operations/abc?project=default", "/1.0/operations/abc/wait?project=default&timeout=1")]
    public void L13_the_wait_goes_before_the_operations_query(string operation, string wait) =>
        Assert.Equal(wait, Terrarium.Lxd.LxdClient.WaitPath(operation));
}
