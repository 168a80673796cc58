using OpenCvSharp;

namespace Verging.Jobs.Processing;

/// <summary>
/// Pastes one face onto another region: the source face is resized to the region, its colours moved to the
/// region's (mean and spread per Lab channel, so skin tone and lighting match), and alpha-blended through a
/// feathered ellipse so no rectangle edge shows. Cheaper and steadier from frame to frame than seamlessClone.
/// </summary>
internal sealed class FaceBlender(Mat sourceFace) : IDisposable
{
    private readonly Mat sourceLab = ToLabFloat(sourceFace);

    public void BlendOnto(Mat frame, Rect region)
    {
        using var target = new Mat(frame, region);
        using var targetLab = ToLabFloat(target);
        using var resized = new Mat();
        Cv2.Resize(sourceLab, resized, region.Size, 0, 0, InterpolationFlags.Linear);
        using var matched = MatchColours(resized, targetLab);
        using var matchedBgr = new Mat();
        using var matched8 = new Mat();
        matched.ConvertTo(matched8, MatType.CV_8UC3);
        Cv2.CvtColor(matched8, matchedBgr, ColorConversionCodes.Lab2BGR);

        using var alpha = EllipseMask(region.Size);
        using var targetFloat = new Mat();
        using var faceFloat = new Mat();
        target.ConvertTo(targetFloat, MatType.CV_32FC3);
        matchedBgr.ConvertTo(faceFloat, MatType.CV_32FC3);
        using var alpha3 = new Mat();
        Cv2.Merge([alpha, alpha, alpha], alpha3);
        using var inverse = new Mat();
        Cv2.Subtract(Scalar.All(1.0), alpha3, inverse);
        Cv2.Multiply(faceFloat, alpha3, faceFloat);
        Cv2.Multiply(targetFloat, inverse, targetFloat);
        Cv2.Add(faceFloat, targetFloat, faceFloat);
        faceFloat.ConvertTo(target, MatType.CV_8UC3);
    }

    public void Dispose() => sourceLab.Dispose();

    private static Mat ToLabFloat(Mat bgr)
    {
        using var lab = new Mat();
        Cv2.CvtColor(bgr, lab, ColorConversionCodes.BGR2Lab);
        var result = new Mat();
        lab.ConvertTo(result, MatType.CV_32FC3);
        return result;
    }

    private static Mat MatchColours(Mat source, Mat target)
    {
        Cv2.MeanStdDev(source, out var sourceMean, out var sourceSpread);
        Cv2.MeanStdDev(target, out var targetMean, out var targetSpread);
        var channels = Cv2.Split(source);
        for (var c = 0; c < 3; c++)
        {
            var gain = sourceSpread[c] > 1e-3 ? targetSpread[c] / sourceSpread[c] : 1.0;
            channels[c].ConvertTo(channels[c], MatType.CV_32FC1, gain, targetMean[c] - sourceMean[c] * gain);
        }

        var result = new Mat();
        Cv2.Merge(channels, result);
        foreach (var channel in channels)
        {
            channel.Dispose();
        }

        return result;
    }

    /// <summary>1 inside an ellipse covering the face (brows to chin), 0 outside, with a soft edge.</summary>
    private static Mat EllipseMask(Size size)
    {
        var mask = new Mat(size, MatType.CV_32FC1, Scalar.All(0));
        Cv2.Ellipse(mask, new Point(size.Width / 2, size.Height / 2), new Size(size.Width * 0.38, size.Height * 0.46), 0, 0, 360, Scalar.All(1.0), -1);
        var feather = Math.Max(3, size.Width / 6 | 1);
        Cv2.GaussianBlur(mask, mask, new Size(feather, feather), 0);
        return mask;
    }
}
