namespace Orchestra.WeaviateEmulator;

/// <summary>
/// Weaviate's distance metrics (entities/vectorindex/common/config.go), brute force.
/// Sums run in double and the distance is returned as float32, as Weaviate returns it.
/// </summary>
internal static class VectorMath
{
    public static double Dot(float[] a, float[] b)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++)
            sum += (double)a[i] * b[i];
        return sum;
    }

    /// <param name="normSquaredA">|a|², precomputed when the object was stored.</param>
    public static float Distance(string metric, float[] a, double normSquaredA, float[] b, double normSquaredB)
    {
        switch (metric)
        {
            case "cosine":
            {
                if (normSquaredA == 0 || normSquaredB == 0)
                    return 1f;
                // sqrt(|a|²·|b|²) rather than |a|·|b|: identical vectors then give exactly 1.
                var cos = Dot(a, b) / Math.Sqrt(normSquaredA * normSquaredB);
                cos = Math.Clamp(cos, -1, 1);
                return (float)(1 - cos);
            }
            case "dot":
                return (float)-Dot(a, b);
            case "l2-squared":
            {
                double sum = 0;
                for (var i = 0; i < a.Length; i++)
                {
                    var d = (double)a[i] - b[i];
                    sum += d * d;
                }
                return (float)sum;
            }
            case "manhattan":
            {
                double sum = 0;
                for (var i = 0; i < a.Length; i++)
                    sum += Math.Abs((double)a[i] - b[i]);
                return (float)sum;
            }
            case "hamming":
            {
                var count = 0;
                for (var i = 0; i < a.Length; i++)
                    if (a[i] != b[i])
                        count++;
                return count;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(metric), metric, null);
        }
    }

    /// <summary>certainty = 1 − distance/2 (cosine only; entities/additional/distance.go).</summary>
    public static double CertaintyFromDistance(float distance) => 1 - (double)distance / 2;

    public static float DistanceFromCertainty(double certainty) => (float)(2 * (1 - certainty));
}
