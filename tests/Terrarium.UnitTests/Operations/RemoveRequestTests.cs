using Terrarium.Cluster.Validation;
using Terrarium.Operations.Lifecycle;

namespace Terrarium.UnitTests.Operations;

/// <summary>C-8/C-9: the removal's flags become one kind; --move and --force together are bad input.</summary>
public class RemoveRequestTests
{
    [Theory]
    [InlineData(false, false, RemovalKind.Empty)]
    [InlineData(true, false, RemovalKind.MoveInstances)]
    [InlineData(false, true, RemovalKind.Force)]
    public void The_flags_say_what_happens_to_the_members_instances(bool move, bool force, RemovalKind kind)
    {
        var request = RemoveRequest.FromFlags("node2", move, force, yes: true, dryRun: false, parallel: 3);
        Assert.Equal((kind, move, force), (request.Kind, request.Move, request.Force));
    }

    [Fact]
    public void Move_and_force_together_are_refused_in_one_sentence()
    {
        var e = Assert.Throws<InputException>(() => RemoveRequest.FromFlags("node2", move: true, force: true, yes: true, dryRun: false, parallel: 3));
        Assert.Equal("--force is for a dead member whose instances cannot be moved; use either --move or --force, not both.", e.Message);
    }
}
