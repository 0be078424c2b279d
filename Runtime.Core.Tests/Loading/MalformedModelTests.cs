using Accel.Tests;

namespace Accel.Tests.Loading;

/// <summary>
/// Corrupt input must end in a typed <see cref="AccelException"/> (or, if the corruption happens to leave a valid
/// model, in a successful run) — never another exception type, a crash or a hang.
/// </summary>
[TestFixture]
public sealed class MalformedModelTests
{
    private static readonly string[] SmallModels = ["face_detection_short_range", "selfie_segmentation", "face_detection_full_range_sparse"];

    private static InterpreterOptions BoundedOptions => new() { MaxMemoryBytes = 256L << 20 };

    [Test]
    public void EmptyBufferIsRejectedWithModelFormatException()
    {
        Assert.Throws<ModelFormatException>(() => Model.FromBytes([]));
    }

    [Test]
    public void AMissingFileIsATypedErrorNamingThePath()
    {
        var e = Assert.Throws<ModelFileException>(() => Model.FromFile("/nonexistent/model.tflite"))!;
        Assert.That(e.Path, Is.EqualTo("/nonexistent/model.tflite"));
        Assert.That(e.Message, Does.Contain("no such file"));
    }

    [Test]
    public void ADirectoryIsATypedErrorSayingItIsADirectory()
    {
        string directory = Path.GetTempPath();
        var e = Assert.Throws<ModelFileException>(() => Model.FromFile(directory))!;
        Assert.That(e.Message, Does.Contain("is a directory"));
    }

    [Test]
    public void WrongFileIdentifierIsNamed()
    {
        var bytes = File.ReadAllBytes(TestAssets.ModelPath("face_detection_short_range"));
        bytes[4] = (byte)'X';
        var e = Assert.Throws<ModelFormatException>(() => Model.FromBytes(bytes))!;
        Assert.That(e.Message, Does.Contain("identifier"));
    }

    [TestCaseSource(nameof(SmallModels))]
    public void TruncatedModelsFailWithModelFormatException(string name)
    {
        var bytes = File.ReadAllBytes(TestAssets.ModelPath(name));
        var lengths = new SortedSet<int> { 0, 1, 3, 4, 7, 8, 12, 16, 64, 100, 1000, bytes.Length - 1, bytes.Length - 4, bytes.Length - 16 };
        var random = new Random(1234);
        for (int i = 0; i < 150; i++) lengths.Add(random.Next(0, bytes.Length));
        int failures = 0;
        foreach (int length in lengths)
        {
            var truncated = bytes.AsSpan(0, length).ToArray();
            try
            {
                using var model = Model.FromBytes(truncated);
            }
            catch (ModelFormatException e)
            {
                Assert.That(e.FieldPath, Is.Not.Empty);
                failures++;
            }
        }
        // Buffers sit at the end of converter-made files, so every cut damages some referenced range.
        Assert.That(failures, Is.EqualTo(lengths.Count), "every truncation of a converter-made model must be detected");
    }

    [TestCaseSource(nameof(SmallModels))]
    public void RandomByteFlipsGiveOnlyTypedErrors(string name)
    {
        var original = File.ReadAllBytes(TestAssets.ModelPath(name));
        long structureEnd = StructureRegionEnd(original);
        var outcomes = new Dictionary<string, int>();
        var random = new Random(name.Length * 7919);
        const int Trials = 250;
        for (int trial = 0; trial < Trials; trial++)
        {
            var bytes = (byte[])original.Clone();
            int flips = 1 + random.Next(8);
            var positions = new List<int>();
            for (int f = 0; f < flips; f++)
            {
                // Most trials hit the flatbuffer structure (tables, vtables, offsets), where bugs hide; some hit weights.
                int position = trial % 4 == 3 ? random.Next(bytes.Length) : random.Next((int)structureEnd);
                bytes[position] ^= (byte)(1 + random.Next(255));
                positions.Add(position);
            }
            string outcome = RunToCompletionOrTypedError(bytes, invoke: trial % 5 == 0, out var unexpected);
            if (unexpected is not null)
                Assert.Fail($"trial {trial} (flips at {string.Join(",", positions)}) threw {unexpected.GetType().Name}: {unexpected}");
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }
        TestContext.Out.WriteLine($"{name}: " + string.Join(", ", outcomes.Select(kv => $"{kv.Key}={kv.Value}")));
        Assert.That(outcomes.Values.Sum(), Is.EqualTo(Trials));
    }

    /// <summary>Loads, builds, allocates and (optionally) invokes; returns the outcome, or the unexpected exception.</summary>
    private static string RunToCompletionOrTypedError(byte[] bytes, bool invoke, out Exception? unexpected)
    {
        unexpected = null;
        try
        {
            using var model = Model.FromBytes(bytes);
            using var interpreter = new Interpreter(model, BoundedOptions);
            interpreter.AllocateTensors();
            if (invoke) interpreter.Invoke();
            return "ran";
        }
        catch (KernelException e) when (e.InnerException is not null)
        {
            // The interpreter wraps a kernel's own crash to keep errors typed; for corrupt input that is still a bug.
            unexpected = e;
            return "unexpected";
        }
        catch (AccelException e)
        {
            return e.GetType().Name;
        }
        catch (Exception e)
        {
            unexpected = e;
            return "unexpected";
        }
    }

    /// <summary>Start of the first constant buffer's data: everything before it is flatbuffer structure.</summary>
    private static long StructureRegionEnd(byte[] bytes)
    {
        using var model = Model.FromBytes(bytes);
        long first = model.Buffers.Where(b => b.Length > 0).Select(b => b.Offset).DefaultIfEmpty(bytes.Length).Min();
        return Math.Max(first, 64);
    }
}
