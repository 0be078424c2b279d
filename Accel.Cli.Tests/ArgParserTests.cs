using Accel.Cli;

namespace Accel.Cli.Tests;

public sealed class ArgParserTests
{
    private static ArgParser Parser() => new ArgParser("run")
        .RepeatableOption("--input", "-i").Option("--output-dir", "-o").Switch("--json");

    [Test]
    public void AcceptsSeparateAndInlineValuesAliasesAndRepeats()
    {
        var parsed = Parser().Parse(["model.tflite", "--input", "a=1.bin", "-i", "b=2.bin", "--input=0=3.bin", "-o", "out", "--json"]);
        Assert.That(parsed.Positionals, Is.EqualTo(new[] { "model.tflite" }));
        Assert.That(parsed.Values("--input"), Is.EqualTo(new[] { "a=1.bin", "b=2.bin", "0=3.bin" }));
        Assert.That(parsed.Value("--output-dir"), Is.EqualTo("out"));
        Assert.That(parsed.Has("--json"), Is.True);
    }

    [Test]
    public void DoubleDashEndsOptions()
    {
        var parsed = Parser().Parse(["--", "--json"]);
        Assert.That(parsed.Positionals, Is.EqualTo(new[] { "--json" }));
        Assert.That(parsed.Has("--json"), Is.False);
    }

    [Test]
    public void UnknownOptionMissingValueAndRepeatedSingleOptionAreUsageErrors()
    {
        Assert.That(() => Parser().Parse(["--bogus"]), Throws.TypeOf<UsageException>().With.Message.Contains("--bogus"));
        Assert.That(() => Parser().Parse(["--output-dir"]), Throws.TypeOf<UsageException>().With.Message.Contains("needs a value"));
        Assert.That(() => Parser().Parse(["-o", "a", "-o", "b"]), Throws.TypeOf<UsageException>().With.Message.Contains("more than once"));
        Assert.That(() => Parser().Parse(["--json=yes"]), Throws.TypeOf<UsageException>().With.Message.Contains("takes no value"));
    }
}
