using System.Text;
using System.Text.Json;

namespace SalesFlow;

/// <summary>
/// Where every value of a JSON document starts, by JSON pointer, as line and column (both from 1, columns counted in
/// characters), so a diagnostic about <c>/stages/3/id</c> can say "line 12, column 14".
/// </summary>
internal sealed class JsonPositions
{
    private readonly byte[] _utf8;
    private readonly List<int> _lineStarts = [0];
    private readonly Dictionary<string, int> _offsets = new(StringComparer.Ordinal);

    public JsonPositions(byte[] utf8)
    {
        _utf8 = utf8;
        for (var i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] == (byte)'\n')
            {
                _lineStarts.Add(i + 1);
            }
        }
    }

    /// <summary>Records the start of every value; stops quietly at malformed JSON (the parser reports it).</summary>
    public void Index(JsonReaderOptions options)
    {
        var reader = new Utf8JsonReader(_utf8, options);
        var path = new List<(bool IsArray, int Index, string? Property)>();
        string? pendingProperty = null;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        pendingProperty = reader.GetString();
                        continue;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        path.RemoveAt(path.Count - 1);
                        continue;
                }

                // A value: it sits under the pending property, or at the next index of the enclosing array.
                string? segment = null;
                if (path.Count > 0 && path[^1].IsArray)
                {
                    var top = path[^1];
                    path[^1] = (true, top.Index + 1, top.Property);
                    segment = top.Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
                else if (pendingProperty is not null)
                {
                    segment = pendingProperty;
                }

                var pointer = segment is null ? "" : Pointer(path, segment);
                _offsets.TryAdd(pointer, (int)reader.TokenStartIndex);
                pendingProperty = null;
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    path.Add((reader.TokenType == JsonTokenType.StartArray, 0, segment));
                }
            }
        }
        catch (JsonException)
        {
            // The document is malformed from here on; what was indexed stays useful.
        }
    }

    /// <summary>Gives a location for a pointer: the value's own position, else its nearest recorded ancestor's.</summary>
    public DiagnosticLocation Locate(string pointer)
    {
        for (var p = pointer; ; p = p[..p.LastIndexOf('/')])
        {
            if (_offsets.TryGetValue(p, out var offset))
            {
                var (line, column) = LineAndColumn(offset);
                return new DiagnosticLocation(pointer, line, column);
            }

            if (p.Length == 0)
            {
                return new DiagnosticLocation(pointer, 1, 1);
            }
        }
    }

    /// <summary>Converts a byte offset to a line and a column in characters, both from 1.</summary>
    public (int Line, int Column) LineAndColumn(long offset)
    {
        var line = _lineStarts.BinarySearch((int)offset);
        if (line < 0)
        {
            line = ~line - 1;
        }

        var start = _lineStarts[line];
        var length = (int)Math.Min(offset, _utf8.Length) - start;
        return (line + 1, Encoding.UTF8.GetCharCount(_utf8, start, Math.Max(length, 0)) + 1);
    }

    /// <summary>Converts the position a <see cref="JsonException"/> gives (line from 0, byte in line from 0).</summary>
    public (int Line, int Column) FromException(JsonException ex)
    {
        var line = (int)Math.Min(ex.LineNumber ?? 0, _lineStarts.Count - 1);
        var start = _lineStarts[line];
        var bytes = (int)Math.Min(ex.BytePositionInLine ?? 0, _utf8.Length - start);
        return (line + 1, Encoding.UTF8.GetCharCount(_utf8, start, Math.Max(bytes, 0)) + 1);
    }

    private static string Pointer(List<(bool IsArray, int Index, string? Property)> path, string last)
    {
        var builder = new StringBuilder();
        foreach (var (_, _, segment) in path.Skip(1))
        {
            builder.Append('/').Append(Escape(segment!));
        }

        if (path.Count > 0)
        {
            builder.Append('/').Append(Escape(last));
        }

        return builder.ToString();
    }

    private static string Escape(string segment) => segment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}
