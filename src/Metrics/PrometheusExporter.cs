using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Websockify.Metrics;

/// <summary>
/// The Prometheus text format (0.0.4) for one <see cref="Meter"/>, from a <see cref="MeterListener"/>:
/// counters and histograms are summed as they are recorded (one lock, a few times per session), the
/// observable instruments are read at each scrape. Series are keyed by their labels, whose values come
/// from a fixed set in our code, so their number is bounded. Counters get the <c>_total</c> suffix.
/// </summary>
internal sealed class PrometheusExporter : IDisposable
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly Meter _meter;
    private readonly MeterListener _listener = new();
    private readonly Lock _lock = new();
    private readonly List<Family> _families = [];

    public PrometheusExporter(Meter meter)
    {
        _meter = meter;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter == _meter)
            {
                var family = new Family(instrument);
                lock (_lock)
                {
                    _families.Add(family);
                }

                listener.EnableMeasurementEvents(instrument, family);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, state) => ((Family)state!).Record(value, tags, _lock));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, state) => ((Family)state!).Record(value, tags, _lock));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, state) => ((Family)state!).Record(value, tags, _lock));
        _listener.Start();
    }

    /// <summary>The whole exposition, observable instruments read now.</summary>
    public string Scrape()
    {
        _listener.RecordObservableInstruments();
        var text = new StringBuilder(4096);
        lock (_lock)
        {
            foreach (var family in _families)
            {
                family.Write(text);
            }
        }

        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private sealed class Family(Instrument instrument)
    {
        private readonly string _name = instrument.Name + (IsCounter(instrument) ? "_total" : "");
        private readonly string _type = instrument switch
        {
            Histogram<double> => "histogram",
            _ when IsCounter(instrument) => "counter",
            _ => "gauge",
        };

        private readonly double[] _buckets = (instrument as Histogram<double>)?.Advice?.HistogramBucketBoundaries?.ToArray() ?? [];
        private readonly bool _observed = instrument.IsObservable;
        private readonly Dictionary<string, Series> _series = new(StringComparer.Ordinal);

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, Lock gate)
        {
            var labels = Labels(tags);
            lock (gate)
            {
                if (!_series.TryGetValue(labels, out var series))
                {
                    _series[labels] = series = new Series(_buckets.Length);
                }

                if (_type == "histogram")
                {
                    var bucket = 0;
                    while (bucket < _buckets.Length && value > _buckets[bucket])
                    {
                        bucket++;
                    }

                    series.Counts[bucket]++;
                    series.Sum += value;
                    series.Count++;
                }
                else if (_observed)
                {
                    series.Value = value; // an observation is the current value, not an increment
                }
                else
                {
                    series.Value += value;
                }
            }
        }

        public void Write(StringBuilder text)
        {
            text.Append("# HELP ").Append(_name).Append(' ').Append(EscapeHelp(instrument.Description ?? instrument.Name)).Append('\n');
            text.Append("# TYPE ").Append(_name).Append(' ').Append(_type).Append('\n');
            foreach (var (labels, series) in _series)
            {
                if (_type != "histogram")
                {
                    Sample(text, _name, labels, series.Value);
                    continue;
                }

                long cumulative = 0;
                for (var i = 0; i <= _buckets.Length; i++)
                {
                    cumulative += series.Counts[i];
                    var le = i < _buckets.Length ? Number(_buckets[i]) : "+Inf";
                    Sample(text, _name + "_bucket", Join(labels, $"le=\"{le}\""), cumulative);
                }

                Sample(text, _name + "_sum", labels, series.Sum);
                Sample(text, _name + "_count", labels, series.Count);
            }
        }

        private static bool IsCounter(Instrument instrument) =>
            instrument is Counter<long> or Counter<int> or Counter<double> or ObservableCounter<long> or ObservableCounter<int> or ObservableCounter<double>;

        private static void Sample(StringBuilder text, string name, string labels, double value) =>
            text.Append(name).Append(labels.Length == 0 ? "" : "{" + labels + "}").Append(' ').Append(Number(value)).Append('\n');

        private static string Join(string labels, string more) => labels.Length == 0 ? more : labels + "," + more;

        private static string Number(double value) =>
            double.IsPositiveInfinity(value) ? "+Inf" : value.ToString("R", CultureInfo.InvariantCulture);

        /// <summary><c>a="x",b="y"</c> in the order given; values escaped as the format says.</summary>
        private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.IsEmpty)
            {
                return "";
            }

            var text = new StringBuilder();
            foreach (var (key, value) in tags)
            {
                if (text.Length > 0)
                {
                    text.Append(',');
                }

                text.Append(key).Append("=\"").Append(EscapeLabel(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "")).Append('"');
            }

            return text.ToString();
        }

        private static string EscapeLabel(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

        private static string EscapeHelp(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
    }

    private sealed class Series(int buckets)
    {
        public double Value { get; set; }

        public long[] Counts { get; } = new long[buckets + 1];

        public double Sum { get; set; }

        public long Count { get; set; }
    }
}
