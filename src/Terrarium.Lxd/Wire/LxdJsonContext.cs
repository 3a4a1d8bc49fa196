using System.Text.Json.Serialization;

namespace Terrarium.Lxd.Wire;

/// <summary>Source-generated serialisers: no reflection, so the CLI stays NativeAOT-clean.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LxdResponse))]
[JsonSerializable(typeof(ServerInfo))]
[JsonSerializable(typeof(ServerPut))]
[JsonSerializable(typeof(ClusterInfo))]
[JsonSerializable(typeof(ClusterPut))]
[JsonSerializable(typeof(List<ClusterMember>))]
[JsonSerializable(typeof(ClusterMember))]
[JsonSerializable(typeof(ClusterMembersPost))]
[JsonSerializable(typeof(ClusterJoinToken))]
[JsonSerializable(typeof(JoinTokenOperationMetadata))]
[JsonSerializable(typeof(ClusterMemberStatePost))]
[JsonSerializable(typeof(List<Instance>))]
[JsonSerializable(typeof(Instance))]
[JsonSerializable(typeof(InstancesPost))]
[JsonSerializable(typeof(InstanceStatePut))]
[JsonSerializable(typeof(InstanceMovePost))]
[JsonSerializable(typeof(Operation))]
[JsonSerializable(typeof(LxdEvent))]
[JsonSerializable(typeof(StoragePoolsPost))]
[JsonSerializable(typeof(NetworksPost))]
[JsonSerializable(typeof(Profile))]
[JsonSerializable(typeof(Project))]
[JsonSerializable(typeof(ImageAliasesPost))]
[JsonSerializable(typeof(CertificatesPost))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
public sealed partial class LxdJsonContext : JsonSerializerContext;
