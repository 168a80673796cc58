using OpenCvSharp;
using Verging.Jobs.Contracts;

namespace Verging.Jobs.Processing;

/// <summary>
/// Baseline background removal: classical segmentation, no neural network. OpenCV GrabCut starts from a centred
/// rectangle (the frame's outer band is certain background) plus a border-colour model (pixels inside that look
/// like the border are probably background), runs on a copy at most 512 px wide, then the mask is cleaned
/// (morphological open/close, largest regions kept, holes filled), scaled back and feathered into the alpha channel.
/// Works for a subject in front of a fairly plain background; a busy background bleeds into the cut-out.
/// </summary>
internal sealed class BackgroundRemovalProcessor : IJobProcessor
{
    private const int WorkingSize = 512;
    private const double BorderBand = 0.04;
    private const double BorderColourDistance = 18; // Lab units: about what a person sees as "the same colour"

    public string JobType => JobTypes.BackgroundRemoval;

    // OpenCV work is synchronous and CPU-bound: off the caller's thread, and failures arrive through the task.
    public Task<ProcessorResult> ProcessAsync(ProcessorInput input, IProgress<int> progress, CancellationToken cancellation) =>
        Task.Run(() => Process(input, progress, cancellation), cancellation);

    private static ProcessorResult Process(ProcessorInput input, IProgress<int> progress, CancellationToken cancellation)
    {
        var image = input.ImagePath ?? throw new ArgumentException("background-removal needs an image", nameof(input));
        var output = Path.Combine(input.WorkDirectory, "cutout.png");
        using var source = Cv2.ImRead(image, ImreadModes.Color);
        if (source.Empty() || source.Width < 8 || source.Height < 8)
        {
            throw new JobProcessingException("the image could not be read");
        }

        progress.Report(5);
        using var alpha = ForegroundAlpha(source, cancellation);
        progress.Report(90);
        using var bgra = new Mat();
        Cv2.CvtColor(source, bgra, ColorConversionCodes.BGR2BGRA);
        Cv2.InsertChannel(alpha, bgra, 3);
        if (!Cv2.ImWrite(output, bgra, new ImageEncodingParam(ImwriteFlags.PngCompression, 6)))
        {
            throw new InvalidOperationException("the PNG could not be written");
        }

        progress.Report(100);
        return new ProcessorResult([new ProcessorOutput(output, "image/png", "image")]);
    }

    /// <summary>0 = background, 255 = subject, feathered in between; same size as <paramref name="source"/>.</summary>
    internal static Mat ForegroundAlpha(Mat source, CancellationToken cancellation)
    {
        var scale = Math.Min(1.0, (double)WorkingSize / Math.Max(source.Width, source.Height));
        using var small = new Mat();
        Cv2.Resize(source, small, new Size(Math.Max(8, (int)(source.Width * scale)), Math.Max(8, (int)(source.Height * scale))), 0, 0, InterpolationFlags.Area);

        using var mask = InitialMask(small);
        using var background = new Mat();
        using var foreground = new Mat();
        cancellation.ThrowIfCancellationRequested();
        try
        {
            Cv2.GrabCut(small, mask, default, background, foreground, 5, GrabCutModes.InitWithMask);
        }
        catch (OpenCVException)
        {
            // Too few samples of one class to fit its colour model (a nearly uniform picture): the colour model alone
            // already said which pixels differ from the border, and the mask still holds that answer.
        }

        cancellation.ThrowIfCancellationRequested();

        using var binary = new Mat();
        using var definite = new Mat();
        using var probable = new Mat();
        Cv2.Compare(mask, (int)GrabCutClasses.FGD, definite, CmpTypes.EQ);
        Cv2.Compare(mask, (int)GrabCutClasses.PR_FGD, probable, CmpTypes.EQ);
        Cv2.BitwiseOr(definite, probable, binary);
        using var cleaned = Clean(binary);

        var alpha = new Mat();
        Cv2.Resize(cleaned, alpha, source.Size(), 0, 0, InterpolationFlags.Linear);
        var feather = Math.Max(1, Math.Min(source.Width, source.Height) / 150) * 2 + 1;
        Cv2.GaussianBlur(alpha, alpha, new Size(feather, feather), 0);
        return alpha;
    }

    private static Mat InitialMask(Mat small)
    {
        var band = Math.Max(1, (int)(Math.Min(small.Width, small.Height) * BorderBand));
        var mask = new Mat(small.Size(), MatType.CV_8UC1, new Scalar((int)GrabCutClasses.BGD));
        var inner = new Rect(band, band, small.Width - 2 * band, small.Height - 2 * band);
        mask[inner].SetTo(new Scalar((int)GrabCutClasses.PR_FGD));

        // Border-colour model: the median colour of the outer band; inner pixels close to it start as probable background.
        using var lab = new Mat();
        Cv2.CvtColor(small, lab, ColorConversionCodes.BGR2Lab);
        var border = MedianBorderColour(lab, band);
        using var borderPlane = new Mat(lab.Size(), lab.Type(), border);
        using var difference = new Mat();
        Cv2.Absdiff(lab, borderPlane, difference);
        using var floats = new Mat();
        difference.ConvertTo(floats, MatType.CV_32FC3);
        Cv2.Multiply(floats, floats, floats);
        var channels = Cv2.Split(floats);
        using var distance = new Mat();
        Cv2.Add(channels[0], channels[1], distance);
        Cv2.Add(distance, channels[2], distance);
        foreach (var channel in channels)
        {
            channel.Dispose();
        }

        Cv2.Sqrt(distance, distance);
        using var nearBorderFloat = new Mat();
        Cv2.Threshold(distance, nearBorderFloat, BorderColourDistance, 255, ThresholdTypes.BinaryInv);
        using var nearBorder = new Mat();
        nearBorderFloat.ConvertTo(nearBorder, MatType.CV_8UC1);
        using var innerOnly = new Mat(small.Size(), MatType.CV_8UC1, Scalar.All(0));
        innerOnly[inner].SetTo(Scalar.All(255));
        Cv2.BitwiseAnd(nearBorder, innerOnly, nearBorder);
        mask.SetTo(new Scalar((int)GrabCutClasses.PR_BGD), nearBorder);

        // GrabCut needs both classes; a picture that is all border colour keeps its centre as a probable subject.
        if (Cv2.CountNonZero(nearBorder) >= inner.Width * inner.Height)
        {
            mask[inner].SetTo(new Scalar((int)GrabCutClasses.PR_FGD));
        }

        return mask;
    }

    private static Scalar MedianBorderColour(Mat lab, int band)
    {
        var samples = new List<Vec3b>();
        var (width, height) = (lab.Width, lab.Height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                if (y < band || y >= height - band || x < band || x >= width - band)
                {
                    samples.Add(lab.At<Vec3b>(y, x));
                }
            }
        }

        static double Median(IEnumerable<byte> values)
        {
            var sorted = values.Order().ToArray();
            return sorted[sorted.Length / 2];
        }

        return new Scalar(Median(samples.Select(s => s.Item0)), Median(samples.Select(s => s.Item1)), Median(samples.Select(s => s.Item2)));
    }

    /// <summary>Drops specks and thin bridges, keeps the regions that matter, fills holes inside them.</summary>
    private static Mat Clean(Mat binary)
    {
        var size = Math.Max(3, Math.Min(binary.Width, binary.Height) / 60 * 2 + 1);
        using var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(size, size));
        using var opened = new Mat();
        Cv2.MorphologyEx(binary, opened, MorphTypes.Open, kernel);
        Cv2.MorphologyEx(opened, opened, MorphTypes.Close, kernel);

        Cv2.FindContours(opened, out var contours, out _, RetrievalModes.External, ContourApproximationModes.ApproxSimple);
        var result = new Mat(binary.Size(), MatType.CV_8UC1, Scalar.All(0));
        if (contours.Length == 0)
        {
            return result;
        }

        // Keep the largest region and any other at least a tenth of its size, each filled (holes closed).
        var areas = contours.Select(c => Cv2.ContourArea(c)).ToArray();
        var largest = areas.Max();
        for (var i = 0; i < contours.Length; i++)
        {
            if (areas[i] >= largest / 10)
            {
                Cv2.DrawContours(result, contours, i, Scalar.All(255), thickness: -1);
            }
        }

        return result;
    }
}
