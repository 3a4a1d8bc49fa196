using System.Text.Json;
using System.Text.Json.Serialization;

namespace Terrarium.Lxd.Wire;

/// <summary>
/// A config map whose values LXD declares as strings but may render otherwise: LXD's server config is a
/// map[string]any where hidden keys come out as true (lxd/config/map.go). Strings stay as they are, null is
/// absent, anything else keeps its JSON text.
/// </summary>
public sealed class LxdConfigMapConverter : JsonConverter<Dictionary<string, string>>
{
    public override Dictionary<string, string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) return [];
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("A config map must be a JSON object.");
        var map = new Dictionary<string, string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var key = reader.GetString()!;
            reader.Read();
            switch (reader.TokenType)
            {
                case JsonTokenType.String: map[key] = reader.GetString()!; break;
                case JsonTokenType.Null: break;
                default:
                    using (var value = JsonDocument.ParseValue(ref reader)) map[key] = value.RootElement.GetRawText();
                    break;
            }
        }
        return map;
    }

    public override void Write(Utf8JsonWriter writer, Dictionary<string, string> value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var (k, v) in value) writer.WriteString(k, v);
        writer.WriteEndObject();
    }
}
