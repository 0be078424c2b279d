using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;

namespace Accel.Cli;

/// <summary>
/// The values of one parsed command line: positional arguments and option values as the user wrote them. Values
/// stay strings so every command validates them itself, with messages that name the option and the command.
/// </summary>
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

    internal void AddValues(string name, IEnumerable<string> values)
    {
        if (!_values.TryGetValue(name, out var list)) _values[name] = list = new List<string>();
        list.AddRange(values);
    }
}

/// <summary>
/// Declares one accel command for System.CommandLine — its options with aliases, value names and descriptions, and
/// its positional arguments — so parsing, <c>--help</c>, response files and completion all come from the
/// declaration. Options are switches, single-valued (given twice is a usage error) or repeatable.
/// </summary>
internal sealed class CommandSpec
{
    private enum Kind { Switch, Single, Repeatable }

    private readonly List<(Option Option, Kind Kind)> _options = new();
    private readonly Argument<string[]>? _positionals;

    public CommandSpec(string name, string description, string? positionalName = null, string? positionalDescription = null)
    {
        Command = new AccelCommand(name, description);
        if (positionalName is not null)
        {
            // Zero or more: each command checks the count itself and says what is missing in its own words.
            _positionals = new Argument<string[]>(positionalName) { Arity = ArgumentArity.ZeroOrMore, Description = positionalDescription };
            Command.Arguments.Add(_positionals);
        }
    }

    public AccelCommand Command { get; }

    /// <summary>Longer prose (formats, formulas, exit codes) that <c>--help</c> prints after the generated options.</summary>
    public string? Details
    {
        get => Command.Details;
        init => Command.Details = value;
    }

    /// <summary>A flag without a value, e.g. <c>--json</c>.</summary>
    public CommandSpec Switch(string name, string description, params string[] aliases) =>
        Add(new Option<bool>(name, aliases) { Description = description, Arity = ArgumentArity.Zero }, Kind.Switch);

    /// <summary>An option with one value, e.g. <c>--output-dir DIR</c>.</summary>
    public CommandSpec Option(string name, string valueName, string description, params string[] aliases)
    {
        var option = new Option<string>(name, aliases) { Description = description, HelpName = valueName };
        // Tab completion offers the closed sets of values (--delegate, --mode, ...); files come from the shell.
        if (CompletionCommand.KnownValues.TryGetValue(name, out var values)) option.CompletionSources.Add(values);
        return Add(option, Kind.Single);
    }

    /// <summary>An option that may be given several times, e.g. <c>--input K=F</c>.</summary>
    public CommandSpec Repeatable(string name, string valueName, string description, params string[] aliases) =>
        Add(new Option<string[]>(name, aliases)
        {
            Description = description + " (repeatable)",
            HelpName = valueName,
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
        }, Kind.Repeatable);

    /// <summary>Declares options shared by several commands (<see cref="OptimizeCommands.QuantizationOptions"/>).</summary>
    public CommandSpec With(IEnumerable<OptimizeCommands.SharedOption> options)
    {
        foreach (var o in options)
        {
            string[] aliases = o.Alias is null ? [] : [o.Alias];
            _ = o.Kind switch
            {
                OptimizeCommands.SharedOptionKind.Switch => Switch(o.Name, o.Description, aliases),
                OptimizeCommands.SharedOptionKind.Single => Option(o.Name, o.ValueName, o.Description, aliases),
                _ => Repeatable(o.Name, o.ValueName, o.Description, aliases),
            };
        }
        return this;
    }

    /// <summary>Adds a subcommand (e.g. <c>conform merge</c>).</summary>
    public CommandSpec Subcommand(Command subcommand)
    {
        Command.Subcommands.Add(subcommand);
        return this;
    }

    private CommandSpec Add(Option option, Kind kind)
    {
        _options.Add((option, kind));
        Command.Options.Add(option);
        return this;
    }

    /// <summary>Runs <paramref name="action"/> with the parsed values; its return value is the exit code.</summary>
    public Command WithAction(Func<ParsedArgs, int> action)
    {
        Command.SetAction(result => action(Read(result)));
        return Command;
    }

    private ParsedArgs Read(ParseResult result)
    {
        var parsed = new ParsedArgs();
        if (_positionals is not null)
        {
            var values = result.GetValue(_positionals) ?? [];
            // An undeclared option would land among the positionals; it is an unknown option unless it follows "--".
            bool optionsEnded = result.Tokens.Any(t => t.Type == TokenType.DoubleDash);
            if (!optionsEnded && values.FirstOrDefault(v => v.Length > 1 && v.StartsWith('-')) is { } unknown)
                throw new UsageException($"unknown option '{unknown.Split('=')[0]}' for '{Command.Name}'", Command.Name);
            parsed.Positionals.AddRange(values);
        }
        foreach (var (option, kind) in _options)
        {
            if (result.GetResult(option) is not { Implicit: false } given) continue;
            switch (kind)
            {
                case Kind.Switch:
                    parsed.AddSwitch(option.Name);
                    break;
                case Kind.Single:
                    if (given.Tokens.Count > 1)
                        throw new UsageException($"option '{option.Name}' given more than once", Command.Name);
                    parsed.AddValues(option.Name, given.Tokens.Select(t => t.Value));
                    break;
                default:
                    parsed.AddValues(option.Name, given.Tokens.Select(t => t.Value));
                    break;
            }
        }
        return parsed;
    }
}

/// <summary>An accel command: System.CommandLine's, plus the prose its help prints after the options.</summary>
internal sealed class AccelCommand(string name, string description) : Command(name, description)
{
    public string? Details { get; set; }
}

/// <summary>The generated help, then the command's <see cref="AccelCommand.Details"/>.</summary>
internal sealed class DetailedHelpAction(HelpAction inner) : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        int code = inner.Invoke(parseResult);
        if (parseResult.CommandResult.Command is AccelCommand { Details: { Length: > 0 } details })
        {
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine("Details:");
            foreach (string line in details.Split('\n')) output.WriteLine(line.Length == 0 ? "" : "  " + line);
            output.WriteLine();
        }
        return code;
    }
}
