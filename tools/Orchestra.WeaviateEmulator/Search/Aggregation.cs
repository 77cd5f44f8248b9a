using System.Globalization;

namespace Orchestra.WeaviateEmulator;

/// <summary>The per-property aggregations of <c>Aggregate</c> (GraphQL and gRPC): count, minimum … mode, totals of booleans.</summary>
internal static class Aggregation
{
    /// <summary>The property's values over the objects, array elements one by one; objects without it are left out.</summary>
    public static List<object> Values(PropertyDef prop, IEnumerable<StoredObject> objects) => objects
        .Where(o => o.Values.ContainsKey(prop.Name))
        .SelectMany(o => o.Values[prop.Name] is Array array ? array.Cast<object>() : [o.Values[prop.Name]])
        .ToList();

    /// <summary>
    /// One aggregation: <c>count</c> → int; for int and number properties minimum, maximum, sum, mean, median, mode → double;
    /// for dates minimum, maximum, median, mode → DateTimeOffset; for booleans totalTrue/totalFalse → int and
    /// percentageTrue/percentageFalse → double. Null when there are no values or the field does not apply to the type.
    /// </summary>
    public static object? Compute(PropertyDef prop, List<object> values, string field)
    {
        if (field == "count")
            return values.Count;
        if (values.Count == 0)
            return null;
        switch (prop.BaseType)
        {
            case "int":
            case "number":
            {
                var numbers = values.Select(v => Convert.ToDouble(v, CultureInfo.InvariantCulture)).OrderBy(x => x).ToList();
                return field switch
                {
                    "minimum" => numbers[0],
                    "maximum" => numbers[^1],
                    "sum" => numbers.Sum(),
                    "mean" => numbers.Average(),
                    "median" => numbers.Count % 2 == 1 ? numbers[numbers.Count / 2] : (numbers[numbers.Count / 2 - 1] + numbers[numbers.Count / 2]) / 2,
                    "mode" => numbers.GroupBy(x => x).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key,
                    _ => null,
                };
            }
            case "date":
            {
                var dates = values.Cast<DateTimeOffset>().OrderBy(x => x).ToList();
                return field switch
                {
                    "minimum" => dates[0],
                    "maximum" => dates[^1],
                    "median" => dates[dates.Count / 2],
                    "mode" => dates.GroupBy(x => x).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key,
                    _ => null,
                };
            }
            case "boolean":
            {
                var trues = values.Count(v => (bool)v);
                return field switch
                {
                    "totalTrue" => trues,
                    "totalFalse" => values.Count - trues,
                    "percentageTrue" => (double)trues / values.Count,
                    "percentageFalse" => (double)(values.Count - trues) / values.Count,
                    _ => null,
                };
            }
            default:
                return null;
        }
    }
}
