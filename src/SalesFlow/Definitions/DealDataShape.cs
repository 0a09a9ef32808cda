using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace SalesFlow;

/// <summary>
/// What the engine knows about a deal data type, read once by reflection: whether it is immutable (checked by
/// <see cref="PipelineBuilder{TData}.Build"/>) and which of its members must not be null (checked at every start and
/// data change, so a guard never meets a null where the type says there is none).
/// </summary>
internal sealed class DealDataShape
{
    private static readonly ConcurrentDictionary<Type, DealDataShape> Shapes = new();

    private static readonly HashSet<Type> Leaves =
    [
        typeof(string), typeof(decimal), typeof(DateTime), typeof(DateTimeOffset), typeof(DateOnly), typeof(TimeOnly),
        typeof(TimeSpan), typeof(Guid), typeof(Uri), typeof(Version), typeof(JsonElement),
    ];

    // Filled once, right after construction, before the shape is shared: a type that refers to itself holds this instance.
    private Member[] _members;

    private DealDataShape(Type type, Member[] members)
    {
        Type = type;
        _members = members;
    }

    public Type Type { get; }

    /// <summary>Gets the shape of a type, built once per type.</summary>
    public static DealDataShape Of(Type type) => Shapes.GetOrAdd(type, static t => Build(t, []));

    /// <summary>Lists every settable member and mutable collection reachable from a data type, by path.</summary>
    public static List<string> FindMutability(Type type)
    {
        var problems = new List<string>();
        FindMutability(type, type.Name, problems, []);
        return problems;
    }

    /// <summary>Lists the paths of required members that are null (or a default immutable array), at most <paramref name="limit"/>.</summary>
    public List<string>? FindMissing(object data, int limit = 50)
    {
        List<string>? missing = null;
        FindMissing(data, Type.Name, ref missing, limit);
        return missing;
    }

    private void FindMissing(object data, string path, ref List<string>? missing, int limit)
    {
        foreach (var member in _members)
        {
            if ((missing?.Count ?? 0) >= limit)
            {
                return;
            }

            var value = member.Property.GetValue(data);
            var memberPath = path + "." + member.Property.Name;
            if (value is null || (member.IsDefaultArray is { } isDefault && (bool)isDefault.GetValue(value)!))
            {
                if (member.Required)
                {
                    (missing ??= []).Add(memberPath);
                }

                continue;
            }

            if (member.Nested is { } nested)
            {
                nested.FindMissing(value!, memberPath, ref missing, limit);
            }

            if (member.Elements is { } elements && value is IEnumerable items)
            {
                var index = 0;
                foreach (var item in items)
                {
                    var itemPath = $"{memberPath}[{index++}]";
                    if (item is null)
                    {
                        if (member.ElementsRequired)
                        {
                            (missing ??= []).Add(itemPath);
                        }
                    }
                    else
                    {
                        elements.FindMissing(item, itemPath, ref missing, limit);
                    }
                }
            }
        }
    }

    private static DealDataShape Build(Type type, Dictionary<Type, DealDataShape> building)
    {
        if (building.TryGetValue(type, out var existing))
        {
            return existing;
        }

        var members = new List<Member>();
        var shape = new DealDataShape(type, []);
        building[type] = shape;
        var nullability = new NullabilityInfoContext();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.GetMethod is null || IsComputed(property))
            {
                continue;
            }

            var info = nullability.Create(property);
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            // A default ImmutableArray<T> (never assigned) is the null of its kind: reading it throws, so it is always required.
            var isDefaultArray = property.PropertyType.IsGenericType && property.PropertyType.GetGenericTypeDefinition() == typeof(ImmutableArray<>)
                ? property.PropertyType.GetProperty(nameof(ImmutableArray<int>.IsDefault))
                : null;
            var required = property.PropertyType.IsValueType ? isDefaultArray is not null : info.ReadState == NullabilityState.NotNull;
            DealDataShape? nested = null;
            DealDataShape? elements = null;
            var elementsRequired = false;
            if (ElementType(propertyType) is { } elementType)
            {
                if (IsComposite(elementType))
                {
                    elements = Build(elementType, building);
                }

                elementsRequired = !elementType.IsValueType && ElementNullability(info) == NullabilityState.NotNull;
                if (elements is null && elementsRequired)
                {
                    elements = Empty(elementType, building);
                }
            }
            else if (IsComposite(propertyType))
            {
                nested = Build(propertyType, building);
            }

            if (required || nested is not null || elements is not null)
            {
                members.Add(new Member(property, required, nested, elements, elementsRequired, isDefaultArray));
            }
        }

        shape._members = [.. members];
        return shape;
    }

    private static DealDataShape Empty(Type type, Dictionary<Type, DealDataShape> building) =>
        building.TryGetValue(type, out var shape) ? shape : new DealDataShape(type, []);

    private static NullabilityState ElementNullability(NullabilityInfo info) =>
        info.ElementType?.ReadState
        ?? (info.GenericTypeArguments.Length > 0 ? info.GenericTypeArguments[^1].ReadState : NullabilityState.Unknown);

    private static void FindMutability(Type type, string path, List<string> problems, HashSet<Type> visited)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (IsLeaf(type) || !visited.Add(type))
        {
            return;
        }

        if (type == typeof(object))
        {
            problems.Add($"Deal data member {path} is typed object, which can hold mutable data: use a concrete immutable type.");
            return;
        }

        if (type.IsArray || (IsCollection(type) && !IsImmutableCollection(type) && !IsReadOnlyInterface(type)))
        {
            problems.Add($"Deal data member {path} is a mutable collection ({Describe(type)}): use ImmutableArray<T> or another immutable collection.");
            return;
        }

        if (ElementType(type) is { } element)
        {
            FindMutability(element, path + "[]", problems, visited);
            if (type.IsGenericType && type.GetGenericArguments() is { Length: 2 } pair)
            {
                FindMutability(pair[0], path + "{key}", problems, visited);
            }

            return;
        }

        foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Instance))
        {
            if (!field.IsInitOnly)
            {
                problems.Add($"Deal data member {path}.{field.Name} is a writable field: make it a property with {{ get; init; }}.");
            }
            else
            {
                FindMutability(field.FieldType, $"{path}.{field.Name}", problems, visited);
            }
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0)
            {
                continue;
            }

            if (property.SetMethod is { IsPublic: true } setter && !IsInitOnly(setter))
            {
                problems.Add($"Deal data member {path}.{property.Name} has a public setter: make it init-only ({{ get; init; }}) and change it with a 'with' expression.");
            }

            if (!IsComputed(property))
            {
                FindMutability(property.PropertyType, $"{path}.{property.Name}", problems, visited);
            }
        }
    }

    private static bool IsInitOnly(MethodInfo setter) =>
        setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit));

    // A get-only property without a backing field of its own (=> expression) is derived from the others: it is not data.
    private static bool IsComputed(PropertyInfo property) =>
        property.SetMethod is null
        && property.DeclaringType?.GetField($"<{property.Name}>k__BackingField", BindingFlags.NonPublic | BindingFlags.Instance) is null;

    private static bool IsLeaf(Type type) => type.IsPrimitive || type.IsEnum || Leaves.Contains(type);

    private static bool IsComposite(Type type) => !IsLeaf(type) && type != typeof(object) && ElementType(type) is null && !type.IsArray;

    private static bool IsCollection(Type type) =>
        type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type);

    private static bool IsImmutableCollection(Type type) =>
        type.Namespace is "System.Collections.Immutable" or "System.Collections.Frozen";

    private static bool IsReadOnlyInterface(Type type) =>
        type.IsInterface && type.IsGenericType && type.GetGenericTypeDefinition() is var d
        && (d == typeof(IReadOnlyList<>) || d == typeof(IReadOnlyCollection<>) || d == typeof(IReadOnlyDictionary<,>)
            || d == typeof(IReadOnlySet<>) || d == typeof(IEnumerable<>));

    private static Type? ElementType(Type type)
    {
        if (!IsCollection(type) || !type.IsGenericType || !(IsImmutableCollection(type) || IsReadOnlyInterface(type)))
        {
            return null;
        }

        var arguments = type.GetGenericArguments();
        return arguments[^1];
    }

    private static string Describe(Type type) =>
        type.IsGenericType ? $"{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}<{string.Join(", ", type.GetGenericArguments().Select(a => a.Name))}>" : type.Name;

    private sealed record Member(PropertyInfo Property, bool Required, DealDataShape? Nested, DealDataShape? Elements, bool ElementsRequired, PropertyInfo? IsDefaultArray);
}
