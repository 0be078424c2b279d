namespace Accel.Cli;

/// <summary>The result of <see cref="ArgParser.Parse"/>: positional arguments and option values.</summary>
public sealed class ParsedArgs
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _switches = new(StringComparer.Ordinal);

    public List<string> Positionals { get; } = new();

    /// <summary>True when the switch (or an option with a value) was given.</summary>
    public bool Has(string name) => _switches.Contains(name) || _values.ContainsKey(name);

    /// <summary>The value of a single-valued option, or null when absent.</summary>
    public string? Value(string name) => _values.TryGetValue(name, out var list) ? list[^1] : null;

    /// <summary>Every value of a repeatable option, in command-line order.</summary>
    public IReadOnlyList<string> Values(string name) => _values.TryGetValue(name, out var list) ? list : [];

    internal void AddSwitch(string name) => _switches.Add(name);

    internal void AddValue(string name, string value)
    {
        if (!_values.TryGetValue(name, out var list)) _values[name] = list = new List<string>();
        list.Add(value);
    }
}

/// <summary>
/// A small hand-written parser for GNU-style options: <c>--name value</c>, <c>--name=value</c>, short aliases
/// (<c>-i value</c>), switches without values, and <c>--</c> to end options. Anything wrong is a
/// <see cref="UsageException"/> naming the command.
/// </summary>
public sealed class ArgParser
{
    private sealed record OptionSpec(string Name, bool TakesValue, bool Repeatable);

    private readonly string _command;
    private readonly Dictionary<string, OptionSpec> _byAlias = new(StringComparer.Ordinal);

    public ArgParser(string command) => _command = command;

    /// <summary>A flag without a value, e.g. <c>--json</c>.</summary>
    public ArgParser Switch(string name, params string[] aliases) => Add(new OptionSpec(name, false, false), aliases);

    /// <summary>An option with a value, e.g. <c>--output-dir DIR</c>.</summary>
    public ArgParser Option(string name, params string[] aliases) => Add(new OptionSpec(name, true, false), aliases);

    /// <summary>An option with a value that may be given several times, e.g. <c>--input K=F</c>.</summary>
    public ArgParser RepeatableOption(string name, params string[] aliases) => Add(new OptionSpec(name, true, true), aliases);

    private ArgParser Add(OptionSpec spec, string[] aliases)
    {
        _byAlias[spec.Name] = spec;
        foreach (var alias in aliases) _byAlias[alias] = spec;
        return this;
    }

    public ParsedArgs Parse(IReadOnlyList<string> args)
    {
        var result = new ParsedArgs();
        bool optionsEnded = false;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (optionsEnded || arg == "-" || !arg.StartsWith('-'))
            {
                result.Positionals.Add(arg);
                continue;
            }
            if (arg == "--")
            {
                optionsEnded = true;
                continue;
            }

            string flag = arg;
            string? inline = null;
            int eq = arg.StartsWith("--", StringComparison.Ordinal) ? arg.IndexOf('=') : -1;
            if (eq > 0)
            {
                flag = arg[..eq];
                inline = arg[(eq + 1)..];
            }
            if (!_byAlias.TryGetValue(flag, out var spec))
                throw new UsageException($"unknown option '{flag}' for '{_command}'", _command);

            if (!spec.TakesValue)
            {
                if (inline is not null) throw new UsageException($"option '{flag}' takes no value", _command);
                result.AddSwitch(spec.Name);
                continue;
            }
            string value;
            if (inline is not null) value = inline;
            else if (i + 1 < args.Count) value = args[++i];
            else throw new UsageException($"option '{flag}' needs a value", _command);
            if (!spec.Repeatable && result.Has(spec.Name))
                throw new UsageException($"option '{spec.Name}' given more than once", _command);
            result.AddValue(spec.Name, value);
        }
        return result;
    }
}
