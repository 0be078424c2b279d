using System.CommandLine;

namespace Accel.Cli;

public static partial class InspectCommand
{
    internal static Command Declare(CliContext context) =>
        new CommandSpec("inspect", "inputs/outputs, operator histogram, counts, constant and arena bytes, MACs per operator; the partition plan with --delegate",
                "MODEL", "the .tflite file") { Details = Description }
            .Switch("--json", "print one JSON object instead of text")
            .Option("--delegate", "NAME[,NAME...]", "plan with these backends (reference, cpu, vulkan, ilgpu, hexagon, opencl) in priority order; without it, no plan", "-d")
            .Option("--threads", "N", "threads delegates may use (default 1)", "-t")
            .Option("--dot", "FILE", "write the plan as Graphviz DOT (needs --delegate; without it the plan is all reference)")
            .Switch("--verbose", "stack traces on errors", "-v")
            .WithAction(parsed => Execute(parsed, context.Stdout, context.Environment));
}
