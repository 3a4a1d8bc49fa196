using System.CommandLine;
using Terrarium.Cli.Output;
using Terrarium.Cli.Usage;
using Terrarium.Cluster.Status;
using Terrarium.Cluster.Validation;
using Terrarium.Operations.Lifecycle;

namespace Terrarium.Cli.Commands;

/// <summary>`cluster invite NAME [ADDRESS]` (SPEC C-2), `cluster invite list` and `cluster invite revoke NAME`.</summary>
public static class InviteCommands
{
    public static Command Build()
    {
        var name = new Argument<string>("name") { Description = "Name the new member will have" };
        var address = new Argument<string?>("address") { Description = "The new server's IP (default: resolve NAME; asked for on a TTY)", Arity = ArgumentArity.ZeroOrOne };
        var expires = ValueOptions.Judged(new Option<string>("--expires") { Description = "How long the invite stays valid (e.g. 30m, 1h, 2d)", DefaultValueFactory = _ => "1h" },
            text => Duration.InviteLifetime(text));
        var dryRun = ClusterCommands.DryRun();
        var c = new Command("invite", "Create a join command for a new server: LXD token, reserved mesh address, firewall opening for ADDRESS")
        {
            name, address, expires, dryRun,
        };
        // Subcommands beside arguments: `cluster invite list` is the subcommand, any other word a NAME (MemberName.InviteSubcommands).
        c.Subcommands.Add(List());
        c.Subcommands.Add(Revoke());
        c.SetHandler(async (pr, ct) =>
        {
            var r = await new InviteOperation(CommonOptions.Node(pr)).RunAsync(
                new InviteRequest(pr.GetValue(name)!, pr.GetValue(address), pr.GetValue(expires)!, Prompt.Interactive ? Prompt.Ask : null, pr.GetValue(dryRun)), ct);
            if (r.Plan is { } plan)
            {
                if (CommonOptions.Structured(pr))
                    CommonOptions.Write(pr, new InvitePlanOutput(r.Member, r.Address, r.MeshAddress, r.ExpiresAt, PlanStepRow.Of(plan), true), CliJsonContext.Default.InvitePlanOutput);
                else
                {
                    Console.WriteLine($"Inviting {r.Member} ({r.Address}) would:");
                    LifecycleCommands.PrintSteps(plan);
                }
                return ExitCodes.Ok;
            }
            if (CommonOptions.Structured(pr))
            {
                CommonOptions.Write(pr, new InviteOutput(r.Member, r.Address, r.MeshAddress, r.ExpiresAt, r.Token, r.Bundle, r.JoinCommand), CliJsonContext.Default.InviteOutput);
                return ExitCodes.Ok;
            }
            Console.Error.WriteLine($"Invited {r.Member} ({r.Address}) with mesh address {r.MeshAddress}; the invite expires at {r.ExpiresAt:yyyy-MM-dd HH:mm:ss}Z.");
            Console.Error.WriteLine($"On {r.Member} (a fresh server with Terrarium installed), run:");
            Console.WriteLine(r.JoinCommand);
            return ExitCodes.Ok;
        });
        return c;
    }

    private static Command List()
    {
        var c = new Command("list", "Pending invites: name, address, reserved mesh address, state (pending, expired, joining, spent), expiry and the member that made it");
        c.SetHandler(async (pr, ct) =>
        {
            var rows = await InviteListing.ListAsync(CommonOptions.Node(pr), ct);
            CommonOptions.Print(pr, rows, CliJsonContext.Default.ListInviteStatus, Table(rows));
            return ExitCodes.Ok;
        });
        return c;
    }

    /// <summary>The invites table of `cluster invite list` and `cluster status` (and csv's rows); no token is ever in it.</summary>
    public static TableData Table(IReadOnlyList<InviteStatus> invites) =>
        new(["NAME", "ADDRESS", "MESH ADDRESS", "STATE", "EXPIRES", "BY"],
            invites.Select(i => (IReadOnlyList<string>)[i.Name, i.Address, i.MeshAddress, i.State, $"{i.ExpiresAt:yyyy-MM-dd HH:mm:ss}Z", i.CreatedBy]).ToList());

    private static Command Revoke()
    {
        var name = new Argument<string>("name") { Description = "The invite's name, as `cluster invite list` shows it" };
        var yes = ClusterCommands.Yes("revoke the invite");
        var dryRun = ClusterCommands.DryRun();
        var c = new Command("revoke", "Withdraw a pending invite: cancel its LXD join token, delete its record, release its mesh address and close its WireGuard port here at once")
        {
            name, yes, dryRun,
        };
        c.SetHandler(async (pr, ct) =>
        {
            var operation = new InviteRevokeOperation(CommonOptions.Node(pr));
            var plan = await operation.PlanAsync(pr.GetValue(name)!, ct);
            var invite = plan.Invite;
            var structured = CommonOptions.Structured(pr);
            if (!structured)
            {
                Console.WriteLine($"Revoking the invite for {invite.Name} ({invite.Address}, mesh address {invite.MeshAddress}) {(pr.GetValue(dryRun) ? "would" : "will")}:");
                LifecycleCommands.PrintSteps(InviteRevokeOperation.Steps(plan));
            }
            if (pr.GetValue(dryRun))
            {
                if (structured) Write(pr, plan, revoked: false, dryRun: true);
                return ExitCodes.Ok;
            }
            if (!pr.GetValue(yes))
                Prompt.Require($"Revoke the invite for {invite.Name}?",
                    $"Revoking the invite for {invite.Name} stops its join line from working; add --yes to confirm.", "nothing was changed");
            plan = await operation.RevokeAsync(plan, ct);
            if (structured) Write(pr, plan, revoked: true, dryRun: false);
            else Console.WriteLine(plan.SharedWith is null
                ? $"The invite for {invite.Name} was revoked: its join line no longer works and UDP {plan.Port} from {invite.Address} is closed here; the other members close it within seconds."
                : $"The invite for {invite.Name} was revoked: its join line no longer works; UDP {plan.Port} stays open to {invite.Address} for {plan.SharedWith}.");
            return ExitCodes.Ok;
        });
        return c;
    }

    private static void Write(System.CommandLine.ParseResult pr, Cluster.Invites.InviteRevocation plan, bool revoked, bool dryRun) =>
        CommonOptions.Write(pr, new InviteRevokeOutput(plan.Invite.Name, plan.Invite.Address, plan.Invite.MeshAddress, revoked, dryRun,
            PlanStepRow.Of(InviteRevokeOperation.Steps(plan))), CliJsonContext.Default.InviteRevokeOutput);
}
