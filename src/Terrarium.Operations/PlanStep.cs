namespace Terrarium.Operations;

/// <summary>One step of a command's plan: the journal's step name and what it does here, in words (`--dry-run` prints it, `-o json` lists it).</summary>
public sealed record PlanStep(string Step, string Action);
