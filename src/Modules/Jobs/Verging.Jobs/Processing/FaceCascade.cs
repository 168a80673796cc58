using OpenCvSharp;

namespace Verging.Jobs.Processing;

/// <summary>
/// OpenCV's Haar frontal-face detector. The cascade file comes from Debian's opencv-data package (scripts/lib.sh
/// installs it); its folder differs between distributions and OpenCV versions, so the usual places are searched,
/// after the <c>VERGING_HAAR_CASCADE</c> environment variable. A classifier is not thread-safe: one per job.
/// </summary>
internal sealed class FaceCascade : IDisposable
{
    private const string FileName = "haarcascade_frontalface_default.xml";

    private static readonly string[] Folders =
    [
        "/usr/share/opencv4/haarcascades",
        "/usr/share/opencv/haarcascades",
        "/usr/local/share/opencv4/haarcascades",
        "/usr/local/share/opencv/haarcascades",
        "/opt/homebrew/share/opencv4/haarcascades",
    ];

    private readonly CascadeClassifier classifier;

    private FaceCascade(CascadeClassifier classifier) => this.classifier = classifier;

    public static string? Locate() =>
        Environment.GetEnvironmentVariable("VERGING_HAAR_CASCADE") is { Length: > 0 } configured && File.Exists(configured)
            ? configured
            : Folders.Select(folder => Path.Combine(folder, FileName)).FirstOrDefault(File.Exists);

    public static FaceCascade Load()
    {
        var path = Locate() ?? throw new InvalidOperationException(
            $"{FileName} was not found (install the opencv-data package or set VERGING_HAAR_CASCADE)");
        var classifier = new CascadeClassifier(path);
        if (classifier.Empty())
        {
            classifier.Dispose();
            throw new InvalidOperationException($"{path} is not a usable cascade");
        }

        return new FaceCascade(classifier);
    }

    /// <summary>Faces in a BGR picture, in its coordinates. Detection runs on a copy at most <paramref name="detectWidth"/> wide.</summary>
    public Rect[] Detect(Mat bgr, int detectWidth = 480)
    {
        var scale = Math.Min(1.0, (double)detectWidth / bgr.Width);
        using var gray = new Mat();
        Cv2.CvtColor(bgr, gray, ColorConversionCodes.BGR2GRAY);
        if (scale < 1.0)
        {
            Cv2.Resize(gray, gray, new Size((int)(bgr.Width * scale), (int)(bgr.Height * scale)), 0, 0, InterpolationFlags.Area);
        }

        Cv2.EqualizeHist(gray, gray);
        var smallest = Math.Max(20, Math.Min(gray.Width, gray.Height) / 12);
        var faces = classifier.DetectMultiScale(gray, 1.1, 5, HaarDetectionTypes.ScaleImage, new Size(smallest, smallest));
        return faces
            .Select(f => new Rect((int)(f.X / scale), (int)(f.Y / scale), (int)(f.Width / scale), (int)(f.Height / scale)))
            .Select(f => f.Intersect(new Rect(0, 0, bgr.Width, bgr.Height)))
            .Where(f => f.Width > 0 && f.Height > 0)
            .ToArray();
    }

    public void Dispose() => classifier.Dispose();
}
