using Accel.Building;
using Accel.Kernels.Reference;
using Accel.Numerics;

namespace Accel.Tests.Kernels;

/// <summary>TFLite_Detection_PostProcess: its FlexBuffer options, the double-precision exp, decoding, both NMS modes and refusals.</summary>
public sealed class DetectionPostProcessKernelTests
{
    [Test]
    public void Flexbuffer_map_written_here_reads_back_every_type_and_absent_keys_read_as_null()
    {
        byte[] buffer = new FlexBufferMapWriter().Add("b_int", -7).Add("a_float", 0.6f).Add("c_bool", true).ToArray();
        var map = FlexBufferMap.Parse(buffer);
        Assert.That(map.Keys, Is.EqualTo(new[] { "a_float", "b_int", "c_bool" }), "keys stored sorted");
        Assert.That(map.GetInt32("b_int"), Is.EqualTo(-7));
        Assert.That(map.GetSingle("a_float"), Is.EqualTo(0.6f));
        Assert.That(map.GetSingle("b_int"), Is.EqualTo(-7f));
        Assert.That(map.GetBoolean("c_bool"), Is.True);
        Assert.That(map.IsNull("missing") && map.GetInt32("missing") == 0 && !map.GetBoolean("missing"));
    }

    [Test]
    public void Flexbuffer_reader_reads_one_byte_slots_and_refuses_truncated_buffers()
    {
        // A map {"n": 5} with one-byte slots, laid out by hand: "n\0" at 0; keys vector [len 1] at 2, [offset 3 → 0] at 3;
        // map prefix [keys offset 1 → 3][keys width 1][len 1] at 4..6; value 5 at 7; type INT|8-bit; root offset 2 → 7,
        // root type MAP|8-bit, root width 1.
        byte[] buffer = [(byte)'n', 0, 1, 3, 1, 1, 1, 5, 1 << 2, 2, 9 << 2, 1];
        Assert.That(FlexBufferMap.Parse(buffer).GetInt32("n"), Is.EqualTo(5));
        Assert.Throws<FormatException>(() => FlexBufferMap.Parse(buffer.AsSpan(4).ToArray()));
        Assert.Throws<FormatException>(() => FlexBufferMap.Parse([1, 2]));
    }

    [TestCase(0.0)]
    [TestCase(1.0)]
    [TestCase(-0.75)]
    [TestCase(0.3465)]
    [TestCase(12.5)]
    [TestCase(-30.25)]
    [TestCase(700.0)]
    [TestCase(-740.0)]
    public void Exp_float64_is_within_two_ulps_of_the_exponential(double x)
    {
        double actual = SpecMath.ExpFloat64(x);
        double reference = Math.Exp(x); // the platform's exp, only as an accuracy yardstick
        double ulp = Math.BitIncrement(Math.Abs(reference)) - Math.Abs(reference);
        Assert.That(Math.Abs(actual - reference), Is.LessThanOrEqualTo(2 * ulp), $"e^{x}");
    }

    [Test]
    public void Exp_float64_handles_its_range_ends()
    {
        Assert.That(SpecMath.ExpFloat64(710), Is.EqualTo(double.PositiveInfinity));
        Assert.That(SpecMath.ExpFloat64(-746), Is.EqualTo(0.0));
        Assert.That(double.IsNaN(SpecMath.ExpFloat64(double.NaN)));
        Assert.That(SpecMath.ExpFloat64(0), Is.EqualTo(1.0));
    }

    private static byte[] Options(int maxDetections, int maxClasses, bool regular, float scoreThreshold = 0f, float iou = 0.5f,
        int classes = 2) =>
        new FlexBufferMapWriter()
            .Add("max_detections", maxDetections).Add("max_classes_per_detection", maxClasses).Add("detections_per_class", 10)
            .Add("use_regular_nms", regular).Add("nms_score_threshold", scoreThreshold).Add("nms_iou_threshold", iou)
            .Add("num_classes", classes).Add("y_scale", 1f).Add("x_scale", 1f).Add("h_scale", 1f).Add("w_scale", 1f)
            .ToArray();

    private static float[][] Run(byte[] options, float[] encodings, float[] scores, float[] anchors, int boxes, int columns)
    {
        using var h = new KernelTestHarness();
        int[] inputs =
        [
            h.Input("box_encodings", [1, boxes, 4], encodings),
            h.Input("class_predictions", [1, boxes, columns], scores),
            h.Constant("anchors", [boxes, 4], anchors),
        ];
        int[] outputs = [h.Output("boxes"), h.Output("classes"), h.Output("scores"), h.Output("count")];
        h.Run(new DetectionPostProcessKernel(), h.Context("TFLite_Detection_PostProcess", null, inputs, outputs, options));
        return outputs.Select(o => h[o].Read<float>().ToArray()).ToArray();
    }

    // Three boxes with zero encodings decode to their anchors: boxes 0 and 1 overlap (IoU 0.036 / 0.044 ≈ 0.82), box 2 is apart.
    private static readonly float[] Anchors = [0.5f, 0.5f, 0.2f, 0.2f, 0.52f, 0.5f, 0.2f, 0.2f, 0.9f, 0.9f, 0.1f, 0.1f];
    private static readonly float[] ZeroCodes = new float[12];
    // Columns: background, class 0, class 1.
    private static readonly float[] Scores = [0.9f, 0.8f, 0.1f, 0.9f, 0.7f, 0.6f, 0.9f, 0.2f, 0.5f];

    [Test]
    public void Fast_nms_keeps_each_anchors_best_class_and_suppresses_overlaps()
    {
        var r = Run(Options(3, 1, regular: false), ZeroCodes, Scores, Anchors, 3, 3);
        // Best scores: box 0 → 0.8 (class 0), box 1 → 0.7 (class 0), box 2 → 0.5 (class 1). Box 1 overlaps box 0 (IoU 0.82 > 0.5).
        Assert.That(r[3], Is.EqualTo(new[] { 2f }));
        Assert.That(r[1], Is.EqualTo(new[] { 0f, 1f, 0f }));
        Assert.That(r[2], Is.EqualTo(new[] { 0.8f, 0.5f, 0f }));
        Assert.That(r[0].Take(4), Is.EqualTo(new[] { 0.4f, 0.4f, 0.6f, 0.6f }).Within(1e-6f));
        Assert.That(r[0].Skip(8), Is.All.Zero, "slots beyond the detections are zero");
    }

    [Test]
    public void Regular_nms_runs_per_class_and_merges_by_score()
    {
        var r = Run(Options(4, 1, regular: true), ZeroCodes, Scores, Anchors, 3, 3);
        // Class 0: 0.8 (box 0) suppresses 0.7 (box 1); 0.2 (box 2) kept. Class 1: 0.6 (box 1), 0.5 (box 2) apart, 0.1 (box 0)
        // suppressed by box 1 (IoU 0.82). Merged: 0.8 c0 b0, 0.6 c1 b1, 0.5 c1 b2, 0.2 c0 b2.
        Assert.That(r[3], Is.EqualTo(new[] { 4f }));
        Assert.That(r[2], Is.EqualTo(new[] { 0.8f, 0.6f, 0.5f, 0.2f }));
        Assert.That(r[1], Is.EqualTo(new[] { 0f, 1f, 1f, 0f }));
    }

    [Test]
    public void A_higher_iou_threshold_keeps_overlapping_boxes()
    {
        var r = Run(Options(3, 1, regular: false, iou: 0.9f), ZeroCodes, Scores, Anchors, 3, 3);
        Assert.That(r[3], Is.EqualTo(new[] { 3f }));
        Assert.That(r[2], Is.EqualTo(new[] { 0.8f, 0.7f, 0.5f }));
    }

    [Test]
    public void A_negative_anchor_size_fails_invoke_naming_the_node()
    {
        float[] anchors = (float[])Anchors.Clone();
        anchors[2] = -0.2f;
        var error = Assert.Throws<KernelException>(() => Run(Options(3, 1, regular: false), ZeroCodes, Scores, anchors, 3, 3));
        Assert.That(error!.Message, Does.Contain("decoded box 0").And.Contain("TFLite_Detection_PostProcess"));
    }

    [TestCase(0f, "nms_iou_threshold")]
    [TestCase(1.5f, "nms_iou_threshold")]
    public void Options_tflite_refuses_at_eval_are_refused_at_prepare(float iou, string message)
    {
        var error = Assert.Throws<KernelException>(() => Run(Options(3, 1, regular: false, iou: iou), ZeroCodes, Scores, Anchors, 3, 3));
        Assert.That(error!.Message, Does.Contain(message));
    }

    [Test]
    public void Class_predictions_must_have_num_classes_columns_or_one_more()
    {
        var error = Assert.Throws<KernelException>(() =>
            Run(Options(3, 1, regular: false, classes: 1), ZeroCodes, Scores, Anchors, 3, 3));
        Assert.That(error!.Message, Does.Contain("num_classes 1"));
    }
}
