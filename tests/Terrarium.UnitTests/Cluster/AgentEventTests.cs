using Terrarium.Cluster.Agent;

namespace Terrarium.UnitTests.Cluster;

public class AgentEventTests
{
    private static LifecycleEvent Lifecycle(string action, string source, string project = "default") => new(action, source, project);

    [Theory]
    [InlineData("instance-updated", "/1.0/instances/web1", "web1")]
    [InlineData("instance-started", "/1.0/instances/web%2D2?project=default", "web-2")]
    [InlineData("instance-snapshot-created", "/1.0/instances/db/snapshots/s0", "db")]
    [InlineData("instance-renamed", "/1.0/instances/new", null)]
    [InlineData("profile-updated", "/1.0/profiles/member-node2?project=terrarium", null)]
    public void C12_instance_events_name_the_instance_to_refresh(string action, string source, string? instance) =>
        Assert.Equal(instance, AgentEvents.InstanceOf(Lifecycle(action, source))?.Name);

    [Theory]
    [InlineData("/1.0/profiles/tls?project=terrarium", "terrarium", true)]
    [InlineData("/1.0/profiles/cert-07e50271eb5a69d93b3e?project=terrarium", "terrarium", true)]
    [InlineData("/1.0/profiles/acme-order-07e50271eb5a69d93b3e?project=terrarium", "terrarium", true)]
    [InlineData("/1.0/profiles/tls?project=default", "default", false)]
    [InlineData("/1.0/profiles/tlsx?project=terrarium", "terrarium", false)]
    [InlineData("/1.0/profiles/member-node2?project=terrarium", "terrarium", false)]
    public void T5_https_records_wake_only_the_certificate_worker(string source, string project, bool certificates)
    {
        var wake = AgentEvents.Route(Lifecycle("profile-updated", source, project));
        Assert.Equal(certificates, wake?.Certificates == true);
        if (certificates) Assert.False(wake!.Cluster || wake.AllInstances || wake.Instance is not null);
    }

    [Fact]
    public void C12_shared_records_membership_and_instances_wake_the_agent()
    {
        Assert.True(AgentEvents.IsRelevant(Lifecycle("profile-created", "/1.0/profiles/invite-node3", "terrarium")));
        // Route-host claims and evacuation origins are the route worker's and restore's own bookkeeping.
        Assert.False(AgentEvents.IsRelevant(Lifecycle("profile-created", "/1.0/profiles/route-07e50271eb5a69d93b3e?project=terrarium", "terrarium")));
        Assert.False(AgentEvents.IsRelevant(Lifecycle("profile-deleted", "/1.0/profiles/evacuation-node2?project=terrarium", "terrarium")));
        Assert.True(AgentEvents.IsRelevant(Lifecycle("cluster-member-removed", "/1.0/cluster/members/node3")));
        Assert.True(AgentEvents.IsRelevant(Lifecycle("instance-stopped", "/1.0/instances/web1")));
        Assert.False(AgentEvents.IsRelevant(Lifecycle("image-created", "/1.0/images/abc")));
    }

    [Theory]
    [InlineData("tenant", "tenant")]
    [InlineData("", "default")]
    [InlineData("default", "default")]
    public void I15_instance_events_of_every_project_name_their_project(string eventProject, string project) =>
        Assert.Equal(new Terrarium.Cluster.Placement.InstanceRef(project, "web1"),
            AgentEvents.InstanceOf(Lifecycle("instance-updated", "/1.0/instances/web1?project=" + eventProject, eventProject)));

    [Theory]
    [InlineData("instance-started", "/1.0/instances/web1", false, false, "web1")]
    [InlineData("instance-renamed", "/1.0/instances/new", false, true, null)]
    [InlineData("cluster-member-removed", "/1.0/cluster/members/node3", true, true, null)]
    [InlineData("network-updated", "/1.0/networks/terrarium-ovn", true, false, null)]
    public void C12_an_event_wakes_the_cluster_pass_the_route_worker_for_one_instance_or_for_all(string action, string source, bool cluster, bool all, string? instance)
    {
        var wake = AgentEvents.Route(Lifecycle(action, source))!;
        Assert.Equal((cluster, all, instance), (wake.Cluster, wake.AllInstances, wake.Instance?.Name));
    }

    [Theory]
    [InlineData("cluster-member-added", true)]
    [InlineData("cluster-member-removed", true)]
    [InlineData("cluster-member-updated", true)]
    [InlineData("cluster-token-created", false)]
    [InlineData("profile-created", false)]
    public void C12_a_member_joining_or_leaving_is_said_by_the_event_not_read_back_from_a_log_line(string action, bool membership) =>
        Assert.Equal(membership, AgentEvents.Route(Lifecycle(action, action.StartsWith("profile", StringComparison.Ordinal) ? "/1.0/profiles/member-node2" : "/1.0/cluster/members/node2",
            action.StartsWith("profile", StringComparison.Ordinal) ? "terrarium" : "default"))!.MembershipChanged);

    [Fact]
    public void C12_an_event_the_agent_does_not_keep_in_step_wakes_nothing() =>
        Assert.Null(AgentEvents.Route(Lifecycle("image-created", "/1.0/images/abc")));
}
