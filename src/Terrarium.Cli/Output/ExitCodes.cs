namespace Terrarium.Cli.Output;

/// <summary>SPEC §2: 0 success, 1 operation failed, 2 bad usage or bad input.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int BadInput = 2;
}
