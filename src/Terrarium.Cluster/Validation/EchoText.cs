namespace Terrarium.Cluster.Validation;

/// <summary>What a refusal may echo of the operator's input: bounded, and never a control character on the terminal.</summary>
public static class EchoText
{
    public static string Of(string text, int max = 64) => new(text.Take(max).Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
