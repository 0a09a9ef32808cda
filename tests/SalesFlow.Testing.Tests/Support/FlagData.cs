using System.Collections.Immutable;

namespace SalesFlow.Testing.Tests.Support;

/// <summary>Deal data for generated pipelines: every data guard reads one flag, and its satisfier sets it.</summary>
public sealed record FlagData
{
    public ImmutableHashSet<string> Flags { get; init; } = [];

    public bool Has(string flag) => Flags.Contains(flag);

    public FlagData Set(string flag) => this with { Flags = Flags.Add(flag) };

    public FlagData Clear(string flag) => this with { Flags = Flags.Remove(flag) };
}
