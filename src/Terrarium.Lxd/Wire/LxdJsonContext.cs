using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

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
[JsonSerializable(typeof(InstancePut))]
[JsonSerializable(typeof(StoragePool))]
[JsonSerializable(typeof(StoragePoolResources))]
[JsonSerializable(typeof(InstanceConfigPatch))]
[JsonSerializable(typeof(InstanceState))]
[JsonSerializable(typeof(Network))]
[JsonSerializable(typeof(List<Network>))]
[JsonSerializable(typeof(NetworkPut))]
[JsonSerializable(typeof(List<Warning>))]
[JsonSerializable(typeof(Operation))]
[JsonSerializable(typeof(Dictionary<string, List<Operation>>))]
[JsonSerializable(typeof(LxdEvent))]
[JsonSerializable(typeof(StoragePoolsPost))]
[JsonSerializable(typeof(NetworksPost))]
[JsonSerializable(typeof(Profile))]
[JsonSerializable(typeof(List<Profile>))]
[JsonSerializable(typeof(Project))]
[JsonSerializable(typeof(List<Project>))]
[JsonSerializable(typeof(ImageAliasesPost))]
[JsonSerializable(typeof(CertificatesPost))]
[JsonSerializable(typeof(ConfiguredEntity))]
[JsonSerializable(typeof(HostResources))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
public sealed partial class LxdJsonContext : JsonSerializerContext;

/// <summary>
/// The serialisers the client uses: the generated ones, except that JSON null for a property the wire types declare
/// non-nullable keeps the property's default ([] or ""). LXD answers null for collections it has nothing for (the
/// config of an instance on an offline member, say), and no reader should ever meet a null the types say cannot be.
/// </summary>
public static class LxdJson
{
    private static readonly JsonSerializerOptions Options = new(LxdJsonContext.Default.Options)
    {
        TypeInfoResolver = LxdJsonContext.Default.WithAddedModifier(KeepDefaultOnNull),
    };

    public static JsonTypeInfo<T> Info<T>() => (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));

    private static void KeepDefaultOnNull(JsonTypeInfo type)
    {
        foreach (var property in type.Properties)
            if (property.Set is { } set && !property.IsSetNullable)
                property.Set = (target, value) => { if (value is not null) set(target, value); };
    }
}
