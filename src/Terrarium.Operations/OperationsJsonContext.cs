using System.Text.Json.Serialization;
using Terrarium.Operations.Identity;
using Terrarium.Operations.Journal;

namespace Terrarium.Operations;

[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(NodeIdentity))]
[JsonSerializable(typeof(JournalState))]
[JsonSerializable(typeof(Workloads.MoveOffJournalState))]
public sealed partial class OperationsJsonContext : JsonSerializerContext;
