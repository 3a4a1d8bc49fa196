namespace Terrarium.Operations.Doctor;

/// <summary>One line of `terrariumctl doctor`: PASS, WARN or FAIL, what was found, and the one-line fix.</summary>
public sealed record DoctorCheck(string Name, string Result, string Detail, string? Fix = null)
{
    public const string Pass = "PASS";
    public const string Warn = "WARN";
    public const string Fail = "FAIL";

    public static DoctorCheck Ok(string name, string detail) => new(name, Pass, detail);
}
