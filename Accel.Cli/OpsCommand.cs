namespace Accel.Cli;

/// <summary><c>accel ops [--json | --markdown | --write-docs FILE]</c>: the operator coverage matrix (<see cref="OpCoverage"/>).</summary>
public static partial class OpsCommand
{
    /// <summary>What --help prints above the generated usage and options.</summary>
    internal const string Description = """
        The operator coverage matrix: for every operator Accel defines (one definition per operator in
        Runtime.Core/Operators/Definitions) and every dtype it is defined for, the supported versions
        and, for each backend (reference, cpu, vulkan, ilgpu, opencl), whether it has a kernel for it or the
        reason it does not ("no kernel catalog declared" for a backend that declares none). Coverage
        is static: what each backend's kernel catalog declares, the same on every machine; a backend
        this machine cannot run is still listed, and a note says which backends are available
        here (and on which device).

        The text table marks a supported cell 'yes' and a refused one [n], the number of its reason
        in the list below the table.


        JSON (schema "accel-ops/1"; fields are only ever added):
          { "schema": "accel-ops/1",
            "definedOps": 21,                         number of operators defined
            "backends": [ { "name": "reference",      in column order
                            "hasCatalog": true,       false: every cell's reason is "no kernel catalog declared"
                            "available": true,        whether it can run on this machine
                            "unavailableReason": null,
                            "device": null,           the device it would use here, if it says
                            "supported": 31 } ],      rows it supports
            "ops": [ { "op": "CONV_2D",               builtin name, or the custom code
                       "custom": false,
                       "dtype": "float32",
                       "minVersion": 1, "maxVersion": 8,
                       "backends": { "reference": { "supported": true, "reason": null },
                                     "cpu": { "supported": false, "reason": "..." } } } ] }
          One "ops" entry per operator x dtype, operators in builtin-code order then custom ones.
        """;

    public static int Execute(ParsedArgs parsed, TextWriter stdout, CliEnvironment environment)
    {
        if (parsed.Positionals.Count > 0)
            throw new UsageException($"'ops' takes no arguments, got '{parsed.Positionals[0]}'", "ops");
        int formats = (parsed.Has("--json") ? 1 : 0) + (parsed.Has("--markdown") ? 1 : 0) + (parsed.Has("--write-docs") ? 1 : 0);
        if (formats > 1) throw new UsageException("--json, --markdown and --write-docs are alternatives; give one", "ops");

        var coverage = OpCoverage.ForBuiltInBackends(environment);
        if (parsed.Has("--json"))
            stdout.Write(OutputWriter.ToJson(coverage.ToJson()));
        else if (parsed.Has("--markdown"))
            stdout.Write(coverage.ToMarkdown());
        else if (parsed.Value("--write-docs") is { } path)
        {
            string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (directory is not null) Directory.CreateDirectory(directory);
            File.WriteAllText(path, coverage.ToMarkdown());
            stdout.WriteLine($"wrote: {Path.GetFullPath(path)} ({coverage.DefinedOps} operators, {coverage.Rows.Count} operator x dtype rows)");
        }
        else
            coverage.WriteText(stdout);
        return AccelCli.ExitOk;
    }
}
