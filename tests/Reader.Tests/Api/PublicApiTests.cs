using System.Reflection;
using System.Text;

namespace Reader.Tests.Api;

/// <summary>
/// The public API of every library, recorded in Api/&lt;assembly&gt;.txt: a change to it fails here until the listing is
/// regenerated (WSI_UPDATE_API=1), so each public change is deliberate and visible in review.
/// </summary>
public sealed class PublicApiTests
{
    public static TheoryData<string> Assemblies => ["Reader.Core", "Reader.Gpu", "Reader.Native", "Reader.Reference", "Reader.Remote", "Reader.Loader", "Reader.Torch", "Reader.Tiling"];

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void Public_api_matches_the_recorded_listing(string name)
    {
        Assembly assembly = Assembly.Load(name);
        string actual = Describe(assembly);
        string file = Path.Combine(Infrastructure.FixtureFiles.RepositoryRoot, "tests", "Reader.Tests", "Api", name + ".txt");
        if (Environment.GetEnvironmentVariable("WSI_UPDATE_API") == "1")
        {
            File.WriteAllText(file, actual);
        }

        Assert.True(File.Exists(file), $"{file} is missing: run the tests once with WSI_UPDATE_API=1 and commit it");
        string[] expected = File.ReadAllLines(file);
        string[] now = actual.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string[] added = [.. now.Except(expected)];
        string[] removed = [.. expected.Except(now)];
        Assert.True(added.Length == 0 && removed.Length == 0,
            $"the public API of {name} changed (regenerate with WSI_UPDATE_API=1 if intended):\n"
            + string.Join('\n', added.Select(a => "+ " + a).Concat(removed.Select(r => "- " + r))));
    }

    [Fact]
    public void Jpeg_internals_and_reference_bindings_are_not_public()
    {
        Type[] core = Assembly.Load("Reader.Core").GetExportedTypes();
        Assert.DoesNotContain(core, t => t.Namespace == "Reader.Core.Decode.Jpeg");
        Type[] native = Assembly.Load("Reader.Native").GetExportedTypes();
        Assert.DoesNotContain(native, t => t.Namespace is "Reader.Native.OpenSlide" or "Reader.Native.Reference");
    }

    /// <summary>One line per public type and per public or protected member, sorted: stable across builds.</summary>
    private static string Describe(Assembly assembly)
    {
        var lines = new List<string>();
        foreach (Type type in assembly.GetExportedTypes())
        {
            string typeName = Name(type);
            lines.Add($"{Kind(type)} {typeName}{Bases(type)}");
            const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            foreach (MemberInfo member in type.GetMembers(all))
            {
                string? line = member switch
                {
                    ConstructorInfo c when Visible(c) => $"ctor({Parameters(c)})",
                    MethodInfo m when Visible(m) && !m.IsSpecialName => $"{(m.IsStatic ? "static " : string.Empty)}{Name(m.ReturnType)} {m.Name}{Generic(m)}({Parameters(m)})",
                    PropertyInfo p when Accessors(p).Any(Visible) => $"{(Accessors(p).First().IsStatic ? "static " : string.Empty)}{Name(p.PropertyType)} {p.Name} {{ {string.Join(' ', Accessors(p).Where(Visible).Select(a => a.Name.StartsWith("get_", StringComparison.Ordinal) ? "get;" : IsInit(a) ? "init;" : "set;"))} }}",
                    FieldInfo f when f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly => $"{(f.IsLiteral ? "const " : f.IsStatic ? "static " : string.Empty)}{Name(f.FieldType)} {f.Name}",
                    EventInfo e when e.AddMethod is { } add && Visible(add) => $"event {Name(e.EventHandlerType!)} {e.Name}",
                    _ => null,
                };
                if (line is not null && !(type.IsEnum && member is FieldInfo { IsSpecialName: true }))
                {
                    lines.Add($"{typeName}: {line}");
                }
            }
        }

        lines.Sort(StringComparer.Ordinal);
        var text = new StringBuilder();
        foreach (string line in lines)
        {
            text.Append(line).Append('\n');
        }

        return text.ToString();
    }

    private static IEnumerable<MethodInfo> Accessors(PropertyInfo p) => new[] { p.GetMethod, p.SetMethod }.OfType<MethodInfo>();

    private static bool Visible(MethodBase m) => m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly;

    private static bool IsInit(MethodInfo setter) =>
        setter.ReturnParameter.GetRequiredCustomModifiers().Any(t => t.FullName == "System.Runtime.CompilerServices.IsExternalInit");

    private static string Kind(Type t) =>
        t.IsEnum ? "enum" : t.IsInterface ? "interface" : t.IsValueType ? "struct" : t.IsAbstract && t.IsSealed ? "static class" : t.IsAbstract ? "abstract class" : t.IsSealed ? "sealed class" : "class";

    private static string Bases(Type t)
    {
        var bases = new List<string>();
        if (t.BaseType is { } b && b != typeof(object) && b != typeof(ValueType) && b != typeof(Enum))
        {
            bases.Add(Name(b));
        }

        bases.AddRange(t.GetInterfaces().Where(i => i.IsPublic).Select(Name).Order(StringComparer.Ordinal));
        return bases.Count == 0 ? string.Empty : " : " + string.Join(", ", bases);
    }

    private static string Generic(MethodInfo m) => m.IsGenericMethodDefinition ? "<" + string.Join(", ", m.GetGenericArguments().Select(a => a.Name)) + ">" : string.Empty;

    private static string Parameters(MethodBase m) =>
        string.Join(", ", m.GetParameters().Select(p => (p.IsOut ? "out " : p.ParameterType.IsByRef && p.IsIn ? "in " : p.ParameterType.IsByRef ? "ref " : string.Empty) + Name(p.ParameterType) + " " + p.Name + (p.HasDefaultValue ? " = " + (p.DefaultValue ?? "null") : string.Empty)));

    private static string Name(Type t)
    {
        if (t.IsByRef)
        {
            return Name(t.GetElementType()!);
        }

        if (t.IsArray)
        {
            return Name(t.GetElementType()!) + "[]";
        }

        if (t.IsGenericParameter)
        {
            return t.Name;
        }

        string name = t.IsNested ? Name(t.DeclaringType!) + "." + t.Name : (t.Namespace is null ? t.Name : t.Namespace + "." + t.Name);
        if (t.IsGenericType)
        {
            name = name[..name.IndexOf('`', StringComparison.Ordinal)] + "<" + string.Join(", ", t.GetGenericArguments().Select(Name)) + ">";
        }

        return name;
    }
}
