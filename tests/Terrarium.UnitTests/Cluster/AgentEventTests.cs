using System.Text.Json;
using Terrarium.Lxd.Wire;
using Terrarium.Operations.Agent;

namespace Terrarium.UnitTests.Cluster;

public class AgentEventTests
{
    private static LxdEvent Lifecycle(string action, string source, string project = "default") => new()
    {
        Type = "lifecycle", Project = project,
        Metadata = JsonDocument.Parse($$"""{"action":"{{action}}","source":"{{source}}"}""").RootElement,
    };

    [Theory]
    [InlineData("instance-updated", "/1.0/instances/web1", "web1")]
    [InlineData("instance-started", "/1.0/instances/web%2D2?project=default", "web-2")]
    [InlineData("instance-snapshot-created", "/1.0/instances/db/snapshots/s0", "db")]
    [InlineData("instance-renamed", "/1.0/instances/new", null)]
    [InlineData("profile-updated", "/1.0/profiles/member-node2?project=terrarium", null)]
    public void C12_instance_events_name_the_instance_to_refresh(string action, string source, string? instance) =>
        Assert.Equal(instance, NodeAgent.InstanceOf(Lifecycle(action, source))?.Name);

    [Fact]
    public void C12_shared_records_membership_and_instances_wake_the_agent()
    {
        Assert.True(NodeAgent.IsRelevant(Lifecycle("profile-created", "/1.0/profiles/invite-node3", "terrarium")));
        // Route-host claims and evacuation origins are the route worker's and restore's own bookkeeping.
        Assert.False(NodeAgent.IsRelevant(Lifecycle("profile-created", "/1.0/profiles/route-07e50271eb5a69d93b3e?project=terrarium", "terrarium")));
        Assert.False(NodeAgent.IsRelevant(Lifecycle("profile-deleted", "/1.0/profiles/evacuation-node2?project=terrarium", "terrarium")));
        Assert.True(NodeAgent.IsRelevant(Lifecycle("cluster-member-removed", "/1.0/cluster/members/node3")));
        Assert.True(NodeAgent.IsRelevant(Lifecycle("instance-stopped", "/1.0/instances/web1")));
        Assert.False(NodeAgent.IsRelevant(Lifecycle("image-created", "/1.0/images/abc")));
    }

    [Theory]
    [InlineData("tenant", "tenant")]
    [InlineData("", "default")]
    [InlineData("default", "default")]
    public void I15_instance_events_of_every_project_name_their_project(string eventProject, string project) =>
        Assert.Equal(new Terrarium.Cluster.Placement.InstanceRef(project, "web1"),
            NodeAgent.InstanceOf(Lifecycle("instance-updated", "/1.0/instances/web1?project=" + eventProject, eventProject)));
}
