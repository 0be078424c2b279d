using System.CommandLine;

namespace Accel.Cli;

public static partial class VisionCommands
{
    /// <summary>The four vision verbs, sharing their common options.</summary>
    internal static IEnumerable<Command> Declare(CliContext context) =>
        Enum.GetValues<VisionTask>().Select(task => Declare(task, context));

    private static Command Declare(VisionTask task, CliContext context)
    {
        var spec = new CommandSpec(Verb(task), SummaryOf(task), "IMAGE", "the JPEG, PNG or WebP photo") { Details = DetailsOf(task) }
            .Option("--model", "M", "the .tflite model (required)", "-m");
        spec.Option("--output", "FILE", task == VisionTask.Classify
            ? "not for classify, which draws nothing (an error saying so)"
            : "write the image with the results drawn on it (.png, .jpg or .webp)", "-o");
        switch (task)
        {
            case VisionTask.Detect: spec.Option("--min-score", "S", "drop detections scoring below S (default 0.5)"); break;
            case VisionTask.Landmarks:
                spec.Option("--region", "CX,CY,W,H[,ROT]", "look only in this rectangle (image pixels, rotation in radians); no detector runs")
                    .Option("--detector", "D", "the detector model (default: the one matching --model, beside it or in the model cache)")
                    .Switch("--no-detector", "no detector: the whole image, then the region the landmarks give (hand, pose)")
                    .Option("--max-results", "N", "follow at most N detections (default: 2 hands, 1 pose, 1 face)");
                break;
            case VisionTask.Segment: spec.Option("--threshold", "T", "confidence counted as the person (default 0.5)"); break;
            case VisionTask.Classify:
                spec.Option("--labels", "FILE", "class labels, one a line (default: the model metadata's labels)").Option("--top-k", "K", "how many classes to print (default 5)");
                break;
        }
        return spec
            .Switch("--json", "print JSON instead of text (coordinates in image pixels)")
            .Option("--delegate", "NAME", "cpu (default: the SIMD CPU delegate, reference for what it leaves) or reference", "-d")
            .Option("--threads", "N", "threads (default 1)", "-t")
            .Switch("--verbose", "stack traces on errors", "-v")
            .WithAction(parsed => Execute(task, parsed, context.Stdout, context.Environment.Cache.Models));
    }
}
